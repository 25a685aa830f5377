/** What the image tests read of a Dockerfile: its stages and, per stage, the instructions that shape the image. */
export interface DockerStage {
  name: string;
  /** The stage or image it starts from. */
  base: string;
  copies: DockerCopy[];
  environment: Record<string, string>;
  /** The last WORKDIR, this stage's or its base stage's. */
  workdir: string | undefined;
  command: string[] | undefined;
}

export interface DockerCopy {
  /** The stage copied from; undefined for the build context. */
  from: string | undefined;
  sources: string[];
  destination: string;
  /** The WORKDIR a relative destination is taken from. */
  directory: string;
}

/** Logical lines: comments dropped, continuation lines joined. */
function instructions(text: string): Array<{ keyword: string; argument: string }> {
  const joined = text
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('#'))
    .join('\n')
    .replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => {
      const [keyword = '', ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), argument: rest.join(' ') };
    });
}

/** `KEY=value KEY2=value2`, the only ENV form the images use. */
function environmentPairs(argument: string): Record<string, string> {
  return Object.fromEntries(
    argument.split(/\s+/).map((pair) => {
      const separator = pair.indexOf('=');
      if (separator <= 0) throw new Error(`ENV ${argument}: only KEY=value pairs are read`);
      return [pair.slice(0, separator), pair.slice(separator + 1)];
    }),
  );
}

function copyOf(argument: string, directory: string): DockerCopy {
  const words = argument.split(/\s+/);
  const options = words.filter((word) => word.startsWith('--'));
  const paths = words.filter((word) => !word.startsWith('--'));
  const unknown = options.filter((option) => !option.startsWith('--from='));
  if (unknown.length > 0 || paths.length < 2)
    throw new Error(`COPY ${argument}: only COPY [--from=stage] <source>... <destination> is read`);
  return {
    from: options[0]?.slice('--from='.length),
    sources: paths.slice(0, -1),
    destination: paths[paths.length - 1] ?? '',
    directory,
  };
}

export function parseDockerfile(text: string): Map<string, DockerStage> {
  const stages = new Map<string, DockerStage>();
  let current: DockerStage | undefined;
  for (const { keyword, argument } of instructions(text)) {
    if (keyword === 'FROM') {
      const [base = '', as, name] = argument.split(/\s+/);
      if (as?.toUpperCase() !== 'AS' || !name) throw new Error(`FROM ${argument}: every stage is named`);
      current = { name, base, copies: [], environment: {}, workdir: stages.get(base)?.workdir, command: undefined };
      stages.set(name, current);
      continue;
    }
    if (!current) throw new Error(`${keyword} before the first FROM`);
    if (keyword === 'COPY') current.copies.push(copyOf(argument, current.workdir ?? '/'));
    else if (keyword === 'ENV') Object.assign(current.environment, environmentPairs(argument));
    else if (keyword === 'WORKDIR') current.workdir = argument;
    else if (keyword === 'CMD') current.command = JSON.parse(argument) as string[];
  }
  return stages;
}

/** A stage and the stages it is built on, the first one first. */
export function stageChain(stages: Map<string, DockerStage>, name: string): DockerStage[] {
  const stage = stages.get(name);
  if (!stage) throw new Error(`no stage ${name}`);
  return stages.has(stage.base) ? [...stageChain(stages, stage.base), stage] : [stage];
}

/** What a container of the stage runs with: ENV and WORKDIR as the stages set them in turn, and the last CMD. */
export function containerOf(
  stages: Map<string, DockerStage>,
  name: string,
): { environment: Record<string, string>; workdir: string; command: string[] } {
  const chain = stageChain(stages, name);
  const command = chain.map((stage) => stage.command).findLast((entry) => entry !== undefined);
  const workdir = chain[chain.length - 1]?.workdir;
  if (!command || !workdir) throw new Error(`stage ${name} has no CMD or no WORKDIR`);
  return { environment: Object.assign({}, ...chain.map((stage) => stage.environment)) as Record<string, string>, workdir, command };
}
