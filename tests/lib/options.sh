# The CLI's options as its source declares them, for the tests that check
# the man pages and the shell completion against them.  Sourced from the
# top of the tree.
#
# cli_options: one line per option of every command, "COMMAND LONG SHORT"
# (SHORT is "-" when there is none), from the getopt_long tables in
# user/*.c.  The command is the function that holds the table, do_CMD or
# CMD_opts; COMMON_LONG stands for the options of user/cmds.h.  An option
# has a short form when its value is a letter of the optstring given to
# getopt_long (COMMON_SHORT, and the letters after it).
cli_options() {
	local common_short common
	common_short=$(sed -nE 's/^#define COMMON_SHORT[[:space:]]+"([^"]*)".*/\1/p' user/cmds.h)
	common=$(sed -nE "s/.*\{ \"([a-z0-9-]+)\", (no|required|optional)_argument, NULL, '(.)' \}.*/\1 \3/p" \
		user/cmds.h)
	awk -v common_short="$common_short" -v common="$common" '
	BEGIN { nc = split(common, c, "\n"); for (i = 1; i <= nc; i++) { split(c[i], a, " "); cl[i] = a[1]; cv[i] = a[2] } }
	/^(static )?int (do_[a-z]+|[a-z]+_opts)\(/ {
		match($0, /(do_[a-z]+|[a-z]+_opts)\(/)
		cmd = substr($0, RSTART, RLENGTH - 1); sub(/^do_/, "", cmd); sub(/_opts$/, "", cmd)
		n = 0; withcommon = 0
	}
	/struct option longopts\[\]/ { inopt = 1 }
	inopt {
		line = $0
		while (match(line, /\{ "[a-z0-9-]+", (no|required|optional)_argument, NULL, \047.\047 \}/)) {
			e = substr(line, RSTART, RLENGTH); line = substr(line, RSTART + RLENGTH)
			match(e, /"[a-z0-9-]+"/); name[++n] = substr(e, RSTART + 1, RLENGTH - 2)
			match(e, /\047.\047/); val[n] = substr(e, RSTART + 1, 1)
		}
		if ($0 ~ /COMMON_LONG/) withcommon = 1
		if ($0 ~ /\};/) inopt = 0
	}
	/getopt_long\(/ {
		s = common_short
		if (match($0, /COMMON_SHORT "[^"]*"/)) {
			t = substr($0, RSTART + 14, RLENGTH - 15); s = s t
		}
		gsub(/:/, "", s)
		if (withcommon) for (i = 1; i <= nc; i++) { name[++n] = cl[i]; val[n] = cv[i] }
		for (i = 1; i <= n; i++) print cmd, name[i], (index(s, val[i]) ? val[i] : "-")
		n = 0; withcommon = 0
	}' user/*.c | sort -u
}

# cli_command_entries: every command entry defined in user/*.c,
# "NAME FUNCTION" (a lab alias runs the function of the command it stands
# for): each user/CMD.c defines "const struct cmd cmd_NAME = { .name = ...,
# .fn = do_FUNCTION, ... }" beside its handler.
cli_command_entries() {
	awk '/^(static )?const struct cmd cmd_[a-z]+ = \{/ { inent = 1; name = fn = ""; next }
	inent && /^\t\.name = "/ { name = $0; sub(/^[^"]*"/, "", name); sub(/".*/, "", name) }
	inent && /^\t\.fn = do_/ { fn = $0; sub(/^.*= do_/, "", fn); sub(/,.*/, "", fn) }
	inent && /^\};/ { inent = 0; if (name != "" && fn != "") print name, fn }' user/*.c
}

# cli_commands: the commands main.c lists (its cmds[] of &cmd_NAME), in
# that order, "NAME FUNCTION" as cli_command_entries gives them.
cli_commands() {
	cli_command_entries > "${TMPDIR:-/tmp}/vmscope-entries.$$"
	sed -n '/^static const struct cmd \*const cmds\[\] = {/,/^};/p' user/main.c |
		sed -nE 's/^[[:space:]]*&cmd_([a-z]+),.*/\1/p' |
		while read -r n; do
			awk -v n="$n" '$1 == n' "${TMPDIR:-/tmp}/vmscope-entries.$$"
		done
	rm -f "${TMPDIR:-/tmp}/vmscope-entries.$$"
}

# cli_global_options: the options main() takes before the command.
# Long ones are compared with strcmp(a, "--x"); short ones are the cases of
# the bundle switch, "case 'x':".
cli_global_options() {
	{
		grep -oE 'strcmp\(a, "--[^"]+"\)' user/main.c | sed -E 's/.*"(--[^"]+)".*/\1/'
		sed -n '/^int main/,/^}/p' user/main.c | grep -oE "case '[A-Za-z]':" |
			sed -E "s/case '(.)':/-\1/"
	} | sort -u
}
