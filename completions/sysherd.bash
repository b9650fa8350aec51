# bash completion for sysherd                                   -*- shell-script -*-
# Install: source this file, or copy it to /usr/share/bash-completion/completions/sysherd

_sysherd_units() {
    # loaded unit names for patterns; --user is passed on when the line has it
    local scope=()
    [[ " ${COMP_WORDS[*]} " == *" --user "* ]] && scope=(--user)
    sysherd "${scope[@]}" list-units --all --plain --no-legend 2>/dev/null | awk '{print $1}'
}

_sysherd() {
    local cur prev
    _init_completion 2>/dev/null || { cur=${COMP_WORDS[COMP_CWORD]}; prev=${COMP_WORDS[COMP_CWORD-1]}; }
    local global="--user --system --json --address --timeout --ask-password --version --help"
    local verbs="list-units sandbox demo help"

    case $prev in
        --state)
            COMPREPLY=($(compgen -W "$(sysherd list-units --state=help 2>/dev/null | grep -v -e '^Available' -e '^$' | sort -u)" -- "$cur")); return ;;
        --type|-t)
            COMPREPLY=($(compgen -W "service mount swap socket target device automount timer path slice scope help" -- "$cur")); return ;;
        --address|--timeout|--uid|--timeout-boot)
            return ;;
    esac

    local verb="" sub="" i
    for ((i = 1; i < COMP_CWORD; i++)); do
        case ${COMP_WORDS[i]} in
            --address|--timeout) ((i++)) ;;
            -*) ;;
            *) if [[ -z $verb ]]; then verb=${COMP_WORDS[i]}; elif [[ -z $sub ]]; then sub=${COMP_WORDS[i]}; fi ;;
        esac
    done

    case $verb in
        "")
            COMPREPLY=($(compgen -W "$verbs $global --all --state --type --no-legend --plain --full" -- "$cur")) ;;
        list-units)
            if [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W "--all --state --type --no-legend --plain --full --help $global" -- "$cur"))
            else
                COMPREPLY=($(compgen -W "$(_sysherd_units)" -- "$cur"))
            fi ;;
        sandbox)
            case $sub in
                "") COMPREPLY=($(compgen -W "start stop exec" -- "$cur")) ;;
                start) [[ $cur == -* ]] && COMPREPLY=($(compgen -W "--user --system --timeout-boot --json --help" -- "$cur")) || COMPREPLY=($(compgen -d -- "$cur")) ;;
                stop) [[ $cur == -* ]] && COMPREPLY=($(compgen -W "--json --help" -- "$cur")) || COMPREPLY=($(compgen -d -- "$cur")) ;;
                exec) [[ $cur == -* ]] && COMPREPLY=($(compgen -W "--uid --help" -- "$cur")) || COMPREPLY=($(compgen -d -- "$cur")) ;;
            esac ;;
        demo)
            COMPREPLY=($(compgen -W "--sandbox --help" -- "$cur")) ;;
        help)
            COMPREPLY=($(compgen -W "list-units sandbox demo" -- "$cur")) ;;
    esac
}
complete -F _sysherd sysherd
