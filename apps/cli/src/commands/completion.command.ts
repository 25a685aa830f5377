import { ExitCode, usageError } from '../cli/cli-error.js';
import type { Command } from '../cli/command.js';
import { commandName, PROGRAM } from '../cli/help.js';
import { GLOBAL_FLAGS } from '../cli/run.js';

const FUNCTION = `_${PROGRAM}`;

function flagWords(command: Command): string {
  return [...command.flags, ...GLOBAL_FLAGS].flatMap((flag) => [`--${flag.name}`, ...(flag.short ? [`-${flag.short}`] : [])]).join(' ');
}

/** A bash completion function for the commands, their second words, their flags and the values of -f and -o. */
export function bashCompletion(commands: readonly Command[]): string {
  const firstWords = [...new Set(commands.map((command) => command.path[0] as string))].sort();
  const secondWords = new Map<string, string[]>();
  for (const command of commands) {
    const [first, second] = command.path;
    if (first !== undefined && second !== undefined) secondWords.set(first, [...(secondWords.get(first) ?? []), second]);
  }
  // A first word that is also a command of its own (`clusters`, `break-glass`) completes its flags after it as well.
  const standalone = new Set(commands.filter((command) => command.path.length === 1).map((command) => command.path[0] as string));
  const twoWordCases = commands.filter((command) => command.path.length === 2).map((command) => `"${commandName(command)}"`);
  return `# bash completion for ${PROGRAM}; load with: source <(${PROGRAM} completion bash)
${FUNCTION}() {
  local cur=\${COMP_WORDS[COMP_CWORD]} previous=\${COMP_WORDS[COMP_CWORD-1]}
  local first=\${COMP_WORDS[1]} second=\${COMP_WORDS[2]}
  COMPREPLY=()
  if [[ $COMP_CWORD -eq 1 ]]; then
    COMPREPLY=($(compgen -W "${firstWords.join(' ')} help" -- "$cur"))
    return
  fi
  if [[ $COMP_CWORD -eq 2 ]]; then
    case "$first" in
${[...secondWords].map(([first, seconds]) => `      ${first}) COMPREPLY=($(compgen -W "${seconds.join(' ')}" -- "$cur")); ${standalone.has(first) ? '[[ "$cur" != -* ]] && return' : 'return'} ;;`).join('\n')}
      completion) COMPREPLY=($(compgen -W "bash zsh" -- "$cur")); return ;;
    esac
  fi
  case "$previous" in
    -f|--filename) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    -o|--output) COMPREPLY=($(compgen -W "json yaml wide" -- "$cur")); return ;;
  esac
  local command="$first"
  case "$first $second" in
    ${twoWordCases.join('|')}) command="$first $second" ;;
  esac
  local flags=""
  case "$command" in
${commands.map((command) => `    "${commandName(command)}") flags="${flagWords(command)}" ;;`).join('\n')}
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$flags" -- "$cur"))
  fi
}
complete -o default -F ${FUNCTION} ${PROGRAM}
`;
}

/** zsh runs the bash function through its bash completion layer. */
export function zshCompletion(commands: readonly Command[]): string {
  return `#compdef ${PROGRAM}
# zsh completion for ${PROGRAM}; load with: source <(${PROGRAM} completion zsh)
autoload -U +X bashcompinit && bashcompinit
${bashCompletion(commands).split('\n').slice(1).join('\n')}`;
}

/** `completion bash|zsh`, completing every command given. */
export function completionCommand(commands: () => readonly Command[]): Command {
  return {
    path: ['completion'],
    synopsis: 'bash|zsh',
    summary: 'Print a shell completion script',
    details: ['Load it in the current shell with: source <(flotilla completion bash)'],
    flags: [],
    online: false,
    run({ invocation, terminal }) {
      const shell = invocation.positional(0, 'a shell: bash or zsh');
      invocation.atMostPositionals(1);
      if (shell === 'bash') terminal.out(bashCompletion(commands()));
      else if (shell === 'zsh') terminal.out(zshCompletion(commands()));
      else throw usageError(`completion knows bash and zsh, not "${shell}"`);
      return Promise.resolve(ExitCode.Ok);
    },
  };
}
