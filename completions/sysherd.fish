# fish completion for sysherd. Install: copy to ~/.config/fish/completions/sysherd.fish
function __sysherd_units
    set -l scope
    contains -- --user (commandline -opc); and set scope --user
    sysherd $scope list-units --all --plain --no-legend 2>/dev/null | string replace -r ' .*' ''
end
function __sysherd_states
    sysherd list-units --state=help 2>/dev/null | string match -v -r '^(Available.*|)$' | sort -u
end
set -l verbs list-units sandbox demo help
complete -c sysherd -f
complete -c sysherd -l user -d 'talk to the user service manager'
complete -c sysherd -l system -d 'talk to the system service manager'
complete -c sysherd -l json -d 'print JSON'
complete -c sysherd -l address -r -d 'D-Bus address'
complete -c sysherd -l timeout -r -d 'timeout of each D-Bus call'
complete -c sysherd -l ask-password -d 'let polkit ask for a password'
complete -c sysherd -l version -d 'print the version'
complete -c sysherd -s h -l help -d 'show help'
complete -c sysherd -n "not __fish_seen_subcommand_from $verbs" -a "$verbs"
complete -c sysherd -n '__fish_seen_subcommand_from list-units' -s a -l all -d 'show inactive units too'
complete -c sysherd -n '__fish_seen_subcommand_from list-units' -l state -x -a '(__sysherd_states)' -d 'states to keep'
complete -c sysherd -n '__fish_seen_subcommand_from list-units' -s t -l type -x -a 'service mount swap socket target device automount timer path slice scope help' -d 'unit types'
complete -c sysherd -n '__fish_seen_subcommand_from list-units' -l no-legend -d 'no headers, no legend'
complete -c sysherd -n '__fish_seen_subcommand_from list-units' -l plain -d 'no markers'
complete -c sysherd -n '__fish_seen_subcommand_from list-units' -s l -l full -d 'do not cut descriptions'
complete -c sysherd -n '__fish_seen_subcommand_from list-units' -a '(__sysherd_units)'
complete -c sysherd -n '__fish_seen_subcommand_from sandbox; and not __fish_seen_subcommand_from start stop exec' -a 'start stop exec'
complete -c sysherd -n '__fish_seen_subcommand_from start' -l timeout-boot -x -d 'seconds to wait for the bus'
complete -c sysherd -n '__fish_seen_subcommand_from start stop exec' -F
complete -c sysherd -n '__fish_seen_subcommand_from exec' -l uid -x -d 'run as this uid'
complete -c sysherd -n '__fish_seen_subcommand_from demo' -l sandbox -d 'use a sandbox even when systemd answers'
