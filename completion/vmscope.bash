# bash completion for vmscope(8)                          -*- shell-script -*-
#
# Commands and lab aliases, global options, each command's options, PIDs
# from /proc (a command name completes to the PIDs of its processes, and a
# list of PIDs shows their names), the VMA names of the process for
# 'page PID --range NAME' and 'thp PID NAME', the start addresses of its
# VMAs for ADDR, the values of --format, --backing and --source, and paths
# for pin, unpin, --device, --journal, -o and snapshot files.
# It never runs vmscope.  The option lists follow the getopt_long tables in
# user/*.c; tests/host_completion.sh fails when they differ.

_vmscope_commands="maps find page read write pin unpin status dev explain share thp help audit undo journal summary map snapshot diff watch"
_vmscope_aliases="listvma findvma findpage writeval"
_vmscope_global_opts="-j --json -p --pretty -v --verbose -h --help -V --version"
_vmscope_common_opts="-h --help -j --json -p --pretty -v --verbose"

# The command a lab alias runs.
_vmscope_command_of()
{
	case $1 in
	listvma) echo maps ;;
	findvma) echo find ;;
	findpage) echo page ;;
	writeval) echo write ;;
	*) echo "$1" ;;
	esac
}

# A command's own options (the common ones are the same for all).
_vmscope_opts()
{
	case $1 in
	maps) echo "-a --all --pid --comm -m --maps -x --extended -A --range --source" ;;
	find) echo "--source" ;;
	page) echo "-r --range --source" ;;
	read) echo "-f --format" ;;
	write) echo "--hex --str --u8 --u16 --u32 --u64 --force --journal --no-journal" ;;
	pin) echo "--pid" ;;
	dev) echo "--pages --backing --offset --device --hold" ;;
	audit) echo "-a --all --source" ;;
	undo) echo "--journal --pid --force" ;;
	journal) echo "--journal --pid" ;;
	summary) echo "--source" ;;
	map) echo "-o --output --explain --diff --source" ;;
	snapshot) echo "-o --output --source" ;;
	watch) echo "-n --interval -c --count --source" ;;
	explain) echo "--source --scan-limit" ;;
	share | thp) echo "--source" ;;
	esac
}

# Whether option $2 of command $1 takes a value.
_vmscope_takes_arg()
{
	case $1:$2 in
	maps:--pid | maps:--comm | maps:--source | maps:-A | maps:--range | find:--source | page:--source | page:-r | page:--range | read:-f | read:--format | \
		write:--hex | write:--str | write:--u8 | write:--u16 | write:--u32 | \
		write:--u64 | pin:--pid | dev:--pages | dev:--backing | dev:--offset | \
		dev:--device | write:--journal | audit:--source | undo:--journal | undo:--pid | \
		journal:--journal | journal:--pid | summary:--source | map:-o | map:--output | \
		map:--explain | map:--source | snapshot:-o | snapshot:--output | snapshot:--source | \
		watch:-n | watch:--interval | watch:-c | watch:--count | watch:--source | \
		explain:--source | explain:--scan-limit | share:--source | thp:--source)
		return 0 ;;
	esac
	return 1
}

# Option $2 of command $1 in full, as getopt_long takes a unique prefix of
# a long option for the whole.
_vmscope_full_opt()
{
	local o match= n=0
	if [[ $2 != --?* ]]; then
		echo "$2"
		return
	fi
	for o in $(_vmscope_opts "$1") $_vmscope_common_opts; do
		[[ $o == "$2" ]] && { echo "$o"; return; }
		[[ $o == "$2"* ]] && { match=$o; n=$((n + 1)); }
	done
	if ((n == 1)); then echo "$match"; else echo "$2"; fi
}

# Into the caller's arrays pids and comms: every process with an address
# space (not a kernel thread, not a zombie) and its command name.
_vmscope_procs()
{
	local f line rest IFS=$' \t\n'
	local -a st
	pids=() comms=()
	for f in /proc/[0-9]*/stat; do
		{ read -r line < "$f"; } 2> /dev/null || continue
		rest=${line##*) }
		st=($rest)
		# st[0] is the state, st[6] the flags; PF_KTHREAD is 0x00200000
		[[ ${st[0]} == [ZX] ]] && continue
		((st[6] & 0x00200000)) && continue
		f=${f#/proc/}
		pids+=("${f%/stat}")
		line=${line#*\(}
		comms+=("${line%)*}")
	done
}

# PIDs that start with $1, or, when $1 is not a number, the PIDs of the
# processes whose command name starts with $1.  When several are listed,
# each shows its command name ("1234 (sshd)"): readline then inserts their
# common prefix, which is still the start of a PID.
_vmscope_complete_pids()
{
	local cur=$1 i
	local -a pids comms match=() names=()
	_vmscope_procs
	for i in "${!pids[@]}"; do
		if [[ $cur == *[!0-9]* ]]; then
			[[ ${comms[i]} == "$cur"* ]] || continue
		else
			[[ ${pids[i]} == "$cur"* ]] || continue
		fi
		match+=("${pids[i]}")
		names+=("${comms[i]}")
	done
	# Only for a list readline shows (TAB, or a second TAB), never for
	# menu completion, which would insert the name too.
	if ((${#match[@]} > 1)) && [[ ${COMP_TYPE-} == @(9|33|63) ]]; then
		for i in "${!match[@]}"; do
			COMPREPLY+=("${match[i]} (${names[i]})")
		done
	else
		COMPREPLY+=("${match[@]}")
	fi
}

_vmscope_complete_comms()
{
	local cur=$1 c
	local -a pids comms
	local -A seen=()
	_vmscope_procs
	for c in "${comms[@]}"; do
		[[ $c == "$cur"* ]] && seen[$c]=1
	done
	COMPREPLY+=("${!seen[@]}")
}

# The names --range NAME takes for process $1: every name its
# /proc/PID/maps shows ([heap], [stack], paths) and the base names of
# paths.
_vmscope_complete_vma_names()
{
	local pid=$1 cur=$2 a b c d e name
	local -A seen=()
	[[ $pid == +([0-9]) && -r /proc/$pid/maps ]] || return
	# Not [vsyscall]: it has no page tables of the process to walk.  Silent
	# when the maps cannot be read (root too may not: another namespace).
	while read -r a b c d e name; do
		[[ $name && $name != '[vsyscall]' ]] || continue
		seen[$name]=1
		[[ $name == /* ]] && seen[${name##*/}]=1
	done 2> /dev/null < "/proc/$pid/maps"
	# What was typed, without the quoting of an earlier completion
	cur=${cur//\\/}
	cur=${cur#[\'\"]}
	for name in "${!seen[@]}"; do
		[[ $name == "$cur"* ]] && COMPREPLY+=("$name")
	done
	# Let readline quote [ ] and spaces; names hold ':' ([anon:...])
	compopt -o filenames 2> /dev/null
	__ltrim_colon_completions "$cur"
}

# ADDR: the start addresses of process $1's VMAs, but [vsyscall]'s, which
# is in the kernel's half (vmscope refuses those addresses).
_vmscope_complete_addrs()
{
	local pid=$1 cur=$2 range rest
	[[ $pid == +([0-9]) && -r /proc/$pid/maps ]] || return
	while read -r range rest; do
		range=${range%%-*}
		[[ ${#range} == 16 && $range == ff* ]] && continue
		COMPREPLY+=("0x$range")
	done 2> /dev/null < "/proc/$pid/maps"
	COMPREPLY=($(compgen -W "${COMPREPLY[*]}" -- "$cur"))
}

_vmscope()
{
	local cur prev words cword split
	_init_completion -s -n : || return

	# The command: the first word that is not a global option.
	local i cmd= cmdi=0
	for ((i = 1; i < cword; i++)); do
		if [[ ${words[i]} != -* ]]; then
			cmd=${words[i]}
			cmdi=$i
			break
		fi
	done
	if [[ -z $cmd ]]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "$_vmscope_global_opts" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$_vmscope_commands $_vmscope_aliases" -- "$cur"))
		fi
		return
	fi
	cmd=$(_vmscope_command_of "$cmd")
	if [[ $cmd == help ]]; then
		((cword == cmdi + 1)) &&
			COMPREPLY=($(compgen -W "$_vmscope_commands $_vmscope_aliases" -- "$cur"))
		return
	fi

	# The words between the command and the cursor: arguments, options and
	# option values (getopt_long takes options anywhere, up to "--").
	local -a args=()
	local w all= ddash= data=
	for ((i = cmdi + 1; i < cword; i++)); do
		w=${words[i]}
		if [[ -z $ddash && $w == -?* ]]; then
			if [[ $w == -- ]]; then
				ddash=1
				continue
			fi
			w=$(_vmscope_full_opt "$cmd" "${w%%=*}")
			# --all, or -a alone or bundled (-ax)
			[[ $w == --all || ($w == -+([a-z]) && $w == *a*) ]] && all=1
			[[ $w == --@(hex|str|u8|u16|u32|u64) ]] && data=1
			# Its value is the next word, unless it came after "="
			[[ ${words[i]} != *=* ]] && _vmscope_takes_arg "$cmd" "$w" && ((i++))
			continue
		fi
		args+=("$w")
	done

	# The value of an option
	if [[ -z $ddash ]] && { [[ $split == true ]] || ((cword - 1 > cmdi)); }; then
		prev=$(_vmscope_full_opt "$cmd" "$prev")
		if _vmscope_takes_arg "$cmd" "$prev"; then
			case $cmd:$prev in
			maps:--pid | pin:--pid | undo:--pid | journal:--pid)
				_vmscope_complete_pids "$cur" ;;
			maps:--comm)
				_vmscope_complete_comms "$cur" ;;
			page:-r | page:--range)
				# Without an address, NAME; after one, a length.
				((${#args[@]} == 1)) && _vmscope_complete_vma_names "${args[0]}" "$cur" ;;
			read:-f | read:--format)
				COMPREPLY=($(compgen -W "hex raw str u8 u16 u32 u64" -- "$cur")) ;;
			dev:--backing)
				COMPREPLY=($(compgen -W "kmalloc vmalloc pages" -- "$cur")) ;;
			maps:--source)
				COMPREPLY=($(compgen -W "bpf proc" -- "$cur")) ;;
			find:--source)
				COMPREPLY=($(compgen -W "module bpf procmap_query proc" -- "$cur")) ;;
			page:--source | map:--source | snapshot:--source | explain:--source | thp:--source)
				COMPREPLY=($(compgen -W "module pagemap" -- "$cur")) ;;
			share:--source)
				COMPREPLY=($(compgen -W "module pagemap smaps" -- "$cur")) ;;
			summary:--source | watch:--source)
				COMPREPLY=($(compgen -W "module smaps" -- "$cur")) ;;
			map:-o | map:--output)
				_filedir html ;;
			snapshot:-o | snapshot:--output)
				_filedir json ;;
			dev:--device | write:--journal | undo:--journal | journal:--journal)
				_filedir ;;
			audit:--source)
				COMPREPLY=($(compgen -W "module pagemap" -- "$cur")) ;;
			esac
			return
		fi
	fi

	if [[ -z $ddash && $cur == -* ]]; then
		local opts=" $(_vmscope_opts "$cmd") "
		# --all and PIDs exclude each other
		[[ $cmd == @(maps|audit) ]] && ((${#args[@]})) && opts=${opts/ -a --all / }
		COMPREPLY=($(compgen -W "$opts $_vmscope_common_opts" -- "$cur"))
		return
	fi

	local n=${#args[@]}
	case $cmd in
	maps | audit | summary | share)
		[[ $all ]] || _vmscope_complete_pids "$cur" ;;
	thp)
		if ((n == 0)); then
			_vmscope_complete_pids "$cur"
		elif ((n == 1)); then
			# a VMA's name or an address in it
			_vmscope_complete_vma_names "${args[0]}" "$cur"
			[[ $cur == 0x* ]] && _vmscope_complete_addrs "${args[0]}" "$cur"
		fi ;;
	snapshot | watch)
		((n == 0)) && _vmscope_complete_pids "$cur" ;;
	map)
		# --diff A B takes snapshot files, else one PID
		if [[ " ${words[*]} " == *" --diff "* ]]; then
			((n < 2)) && _filedir json
		else
			((n == 0)) && _vmscope_complete_pids "$cur"
		fi ;;
	diff)
		((n < 2)) && _filedir json ;;
	find | page | explain)
		if ((n == 0)); then
			_vmscope_complete_pids "$cur"
		else
			_vmscope_complete_addrs "${args[0]}" "$cur"
		fi ;;
	read | write)
		if ((n == 0)); then
			_vmscope_complete_pids "$cur"
		elif ((n == 1)); then
			_vmscope_complete_addrs "${args[0]}" "$cur"
		elif [[ $cmd == write && -z $data ]]; then
			# Nothing else fits there: what to write
			COMPREPLY=($(compgen -W "--hex --str --u8 --u16 --u32 --u64" -- "$cur"))
		fi ;;
	pin | unpin)
		((n == 0)) && _filedir ;;
	dev)
		if ((n == 0)); then
			COMPREPLY=($(compgen -W "info map fill" -- "$cur"))
		fi ;;
	esac
} &&
	complete -F _vmscope vmscope

# ex: filetype=sh
