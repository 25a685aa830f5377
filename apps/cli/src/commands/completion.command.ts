import { ExitCode, usageError } from '../cli/cli-error.js';
import type { Command } from '../cli/command.js';
import { PROGRAM } from '../cli/help.js';
import { GLOBAL_FLAGS } from '../cli/program.js';

export const SHELLS = ['bash', 'zsh', 'fish', 'powershell'] as const;
const OUTPUT_VALUES = 'json yaml wide';

/** What may follow each command path: its next words (subcommands, or a positional's choices) and its flags. */
export interface CompletionTable {
  /** Every path spelling, aliases included, such as `get ro`, mapped to the words that may follow. */
  words: Map<string, string[]>;
  flags: Map<string, string[]>;
}

const flagWords = (command: Command): string[] =>
  [...command.flags, ...GLOBAL_FLAGS].flatMap((flag) => [`--${flag.name}`, ...(flag.short ? [`-${flag.short}`] : [])]).concat('--help');

/**
 * Builds the table every shell's script is generated from, each word under every spelling of its path.
 * @example completionTable([getRollout]).words.get('get') // => ['rollout', 'ro']
 */
export function completionTable(commands: readonly Command[]): CompletionTable {
  const spellings = new Map<string, string[]>([['', ['']]]);
  const table: CompletionTable = { words: new Map([['', ['help']]]), flags: new Map([['', GLOBAL_FLAGS.map((flag) => `--${flag.name}`)]]) };
  const add = (map: Map<string, string[]>, key: string, values: readonly string[]): void => {
    const known = map.get(key) ?? [];
    map.set(key, [...known, ...values.filter((value) => !known.includes(value))]);
  };
  const byDepth = [...commands].sort((one, other) => one.path.length - other.path.length);
  for (const command of byDepth) {
    for (let depth = 1; depth <= command.path.length; depth += 1) {
      const key = command.path.slice(0, depth).join(' ');
      const word = command.path[depth - 1] ?? '';
      const names = depth === command.path.length ? [word, ...(command.aliases ?? [])] : [word];
      const parents = spellings.get(command.path.slice(0, depth - 1).join(' ')) ?? [];
      for (const parent of parents) add(table.words, parent, names);
      if (depth === command.path.length || !spellings.has(key))
        spellings.set(
          key,
          parents.flatMap((parent) => names.map((name) => (parent ? `${parent} ${name}` : name))),
        );
    }
    for (const spelling of spellings.get(command.path.join(' ')) ?? []) {
      add(table.flags, spelling, flagWords(command));
      if (command.path.join(' ') === 'completion') add(table.words, spelling, SHELLS);
    }
  }
  // A parent word that is not a command of its own (`get`, `fleet`) gets its flags from no one: give it --help.
  for (const key of table.words.keys()) if (!table.flags.has(key)) table.flags.set(key, ['--help']);
  return table;
}

const quote = (word: string): string => `'${word}'`;

function bashCases(map: Map<string, string[]>, indent: string): string {
  return [...map].map(([path, words]) => `${indent}${quote(path)}) words=${quote(words.join(' '))} ;;`).join('\n');
}

/** A bash completion function: the command path typed so far, then its subcommands, its flags or the values of -f and -o. */
export function bashCompletion(commands: readonly Command[]): string {
  const table = completionTable(commands);
  const paths = [...new Set([...table.words.keys(), ...table.flags.keys()])].filter(Boolean);
  return `# bash completion for ${PROGRAM}; load with: source <(${PROGRAM} completion bash)
_${PROGRAM}() {
  local cur=\${COMP_WORDS[COMP_CWORD]} previous=\${COMP_WORDS[COMP_CWORD-1]} path='' word words='' i
  for ((i = 1; i < COMP_CWORD; i++)); do
    word=\${COMP_WORDS[i]}
    [[ $word == -* ]] && continue
    case "\${path:+$path }$word" in
      ${paths.map(quote).join('|')}) path="\${path:+$path }$word" ;;
    esac
  done
  case "$previous" in
    -f|--filename) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    -o|--output) COMPREPLY=($(compgen -W "${OUTPUT_VALUES}" -- "$cur")); return ;;
  esac
  if [[ "$cur" == -* ]]; then
    case "$path" in
${bashCases(table.flags, '      ')}
    esac
  else
    case "$path" in
${bashCases(table.words, '      ')}
    esac
  fi
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -o default -F _${PROGRAM} ${PROGRAM}
`;
}

/** zsh runs the bash function through its bash completion layer. */
export function zshCompletion(commands: readonly Command[]): string {
  return `#compdef ${PROGRAM}
# zsh completion for ${PROGRAM}; load with: source <(${PROGRAM} completion zsh)
autoload -U +X bashcompinit && bashcompinit
${bashCompletion(commands).split('\n').slice(1).join('\n')}`;
}

function fishCases(map: Map<string, string[]>): string {
  return [...map].map(([path, words]) => `            case ${quote(path)}\n                printf '%s\\n' ${words.join(' ')}`).join('\n');
}

/** A fish function printing the candidates for the command line typed so far. */
export function fishCompletion(commands: readonly Command[]): string {
  const table = completionTable(commands);
  const paths = [...new Set([...table.words.keys(), ...table.flags.keys()])].filter(Boolean);
  return `# fish completion for ${PROGRAM}; load with: ${PROGRAM} completion fish | source
function __${PROGRAM}_complete
    set -l tokens (commandline -opc)
    set -l current (commandline -ct)
    set -l paths ${paths.map(quote).join(' ')}
    set -l path ''
    for word in $tokens[2..-1]
        string match -q -- '-*' $word; and continue
        set -l candidate (string trim -- "$path $word")
        contains -- $candidate $paths; and set path $candidate
    end
    switch $tokens[-1]
        case -f --filename
            __fish_complete_path $current
            return
        case -o --output
            printf '%s\\n' ${OUTPUT_VALUES}
            return
    end
    if string match -q -- '-*' $current
        switch $path
${fishCases(table.flags)}
        end
    else
        switch $path
${fishCases(table.words)}
        end
    end
end
complete -c ${PROGRAM} -f -a '(__${PROGRAM}_complete)'
`;
}

function powershellTable(map: Map<string, string[]>): string {
  return [...map].map(([path, words]) => `    ${quote(path)} = @(${words.map(quote).join(', ')})`).join('\n');
}

/** A PowerShell argument completer for the native command. */
export function powershellCompletion(commands: readonly Command[]): string {
  const table = completionTable(commands);
  return `# PowerShell completion for ${PROGRAM}; load with: ${PROGRAM} completion powershell | Out-String | Invoke-Expression
Register-ArgumentCompleter -Native -CommandName ${PROGRAM} -ScriptBlock {
  param($wordToComplete, $commandAst, $cursorPosition)
  $words = @{
${powershellTable(table.words)}
  }
  $flags = @{
${powershellTable(table.flags)}
  }
  $path = ''
  $previous = ''
  foreach ($element in $commandAst.CommandElements | Select-Object -Skip 1) {
    if ($element.Extent.EndOffset -ge $cursorPosition) { break }
    $word = $element.ToString()
    $previous = $word
    if ($word.StartsWith('-')) { continue }
    $candidate = "$path $word".Trim()
    if ($words.ContainsKey($candidate) -or $flags.ContainsKey($candidate)) { $path = $candidate }
  }
  if ($previous -in @('-o', '--output')) { $choices = @(${OUTPUT_VALUES.split(' ').map(quote).join(', ')}) }
  elseif ($wordToComplete.StartsWith('-')) { $choices = $flags[$path] }
  else { $choices = $words[$path] }
  $choices | Where-Object { $_ -like "$wordToComplete*" } | ForEach-Object {
    [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)
  }
}
`;
}

const GENERATORS: Record<(typeof SHELLS)[number], (commands: readonly Command[]) => string> = {
  bash: bashCompletion,
  zsh: zshCompletion,
  fish: fishCompletion,
  powershell: powershellCompletion,
};

const isShell = (word: string): word is (typeof SHELLS)[number] => (SHELLS as readonly string[]).includes(word);

/** `completion bash|zsh|fish|powershell`, completing every command given. */
export function completionCommand(commands: () => readonly Command[]): Command {
  return {
    path: ['completion'],
    synopsis: SHELLS.join('|'),
    summary: 'Print a shell completion script',
    details: [
      'Load it in the current shell: source <(flotilla completion bash), source <(flotilla completion zsh),',
      'flotilla completion fish | source, or flotilla completion powershell | Out-String | Invoke-Expression.',
    ],
    flags: [],
    online: false,
    run({ invocation, terminal }) {
      const shell = invocation.positional(0, `a shell: ${SHELLS.join(', ')}`);
      invocation.atMostPositionals(1);
      if (!isShell(shell)) throw usageError(`completion knows ${SHELLS.join(', ')}, not "${shell}"`);
      terminal.out(GENERATORS[shell](commands()));
      return Promise.resolve(ExitCode.Ok);
    },
  };
}
