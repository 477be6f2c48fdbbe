# What the documents name, for tests/host_docs_refs.sh: one line per
# reference, "FILE<TAB>KIND<TAB>VALUE[<TAB>OPTIONS]".
#   perl tests/lib/docrefs.pl README.md docs/*.md man/*.scd
# KIND is
#   path  a repository path (user/..., tests/..., kmod/..., bpf/...,
#         scripts/..., docs/..., man/..., completion/..., debian/...,
#         dkms/...) written as a word of its own: not a part of
#         build/kmod/... or /sys/fs/bpf/...
#   link  a Markdown link's target that is not a URL, as a path from the
#         top of the tree
#   cmd   "vmscope [global options] WORD" in code (Markdown: `...` spans and
#         fenced blocks; scdoc: bold that starts "*vmscope " and fenced
#         blocks; not shell comments or the CLI's "vmscope:" messages in
#         example output), with the long
#         options written after it up to the end of that shell command
#         (&&, ;, a spaced |, a quote) in OPTIONS, space-separated
#   list  a command line of README.md's "### Commands" block
#         ("  NAME ARGS   summary"), its options in OPTIONS
use strict;
use warnings;

my $dirs = qr{(?:user|tests|scripts|kmod|bpf|docs|man|completion|debian|dkms)};

sub out { print join("\t", @_), "\n"; }

# The long options of a command line's rest, up to where its shell command ends.
sub opts_of {
	my ($rest) = @_;
	$rest =~ s/(?:&&|;|\s\|\s|['"`]).*//s;
	my %seen;
	return join(' ', grep { !$seen{$_}++ } $rest =~ /(?<![\w-])(--[a-z][a-z0-9-]*)/g);
}

sub cmds_in {
	my ($file, $code) = @_;
	$code =~ s/^vmscope:.*$//mg;		# the CLI's messages, in example output
	$code =~ s/(^|\s)#.*$//mg;		# shell comments
	while ($code =~ m{(?<![\w./-])vmscope((?:[ \t]+-[-a-zA-Z]+)*)[ \t]+([a-z][a-z0-9]*)(?![-.\w/])([^\n]*)}g) {
		out($file, 'cmd', $2, opts_of($3));
	}
}

for my $file (@ARGV) {
	open(my $fh, '<', $file) or die "$file: $!";
	my $text = do { local $/; <$fh> };
	close $fh;
	(my $dir = $file) =~ s{[^/]*$}{};

	# ---- paths, anywhere in the text ----
	while ($text =~ m{(?<![A-Za-z0-9./\$~@-])($dirs/[\w.*/-]*)}g) {
		my $p = $1;
		$p =~ s/[.,:;]+$//;			# the end of a sentence
		$p =~ s/[_*.,:;]+$// if $file =~ /\.scd$/;	# scdoc's _italic_, *bold*
		out($file, 'path', $p);
	}
	# ---- code: fenced blocks, then the inline spans of the rest ----
	my @fenced;
	(my $rest = $text) =~ s{^```[^\n]*\n(.*?)^```[^\n]*$}{push @fenced, $1; ''}msge;
	cmds_in($file, $_) for @fenced;
	if ($file =~ /\.md$/) {
		while ($rest =~ m{\]\(([^)\s#]+)(?:#[^)]*)?\)}g) {
			my $t = $1;
			next if $t =~ m{^[a-z]+:};
			my $p = $dir . $t;
			1 while $p =~ s{(^|/)[^/]+/\.\./}{$1};
			out($file, 'link', $p);
		}
		cmds_in($file, $1) while $rest =~ /`([^`\n]+)`/g;
	} else {
		# bold that starts with the program's name: *vmscope find*
		cmds_in($file, $1) while $rest =~ /\*(vmscope [^*\n]+)\*/g;
	}
	# ---- README.md's command list ----
	if ($file =~ m{(^|/)README\.md$} && $text =~ /^### Commands\n+```\n(.*?)^```/ms) {
		for my $line (split /\n/, $1) {
			next unless $line =~ /^  ([a-z]+)(?: (.*))?$/;
			my ($cmd, $args) = ($1, $2 // '');
			$args =~ s/ {2,}.*//;	# the summary
			out($file, 'list', $cmd, opts_of($args));
		}
	}
}
