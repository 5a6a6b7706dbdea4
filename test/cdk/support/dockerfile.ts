// Just enough of a Dockerfile parser for the image test: stages, and each stage's
// instructions with continuation lines joined.
export interface Instruction {
  op: string;
  args: string;
}

export interface DockerStage {
  name?: string;
  from: string;
  instructions: Instruction[];
}

export function parseDockerfile(text: string): DockerStage[] {
  const lines = text.replace(/\\\r?\n/g, ' ').split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const stages: DockerStage[] = [];
  for (const line of lines) {
    const [, op = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    if (op.toUpperCase() === 'FROM') {
      const [, from = '', name] = /^(\S+)(?:\s+AS\s+(\S+))?/i.exec(args) ?? [];
      stages.push({ from, name, instructions: [] });
    } else if (stages.length > 0) {
      stages.at(-1)!.instructions.push({ op: op.toUpperCase(), args: args.replace(/\s+/g, ' ') });
    }
  }
  return stages;
}

export interface Copy {
  from?: string;
  sources: string[];
  dest: string;
}

export function copiesOf(stage: DockerStage): Copy[] {
  return stage.instructions.filter((i) => i.op === 'COPY').map((i) => {
    const words = i.args.split(' ');
    const flags = words.filter((w) => w.startsWith('--'));
    const paths = words.filter((w) => !w.startsWith('--'));
    const from = flags.find((f) => f.startsWith('--from='))?.slice('--from='.length);
    return { from, sources: paths.slice(0, -1), dest: paths.at(-1)! };
  });
}

/** The exec-form command of CMD, or of HEALTHCHECK's CMD. */
export function execForm(stage: DockerStage, op: 'CMD' | 'HEALTHCHECK'): string[] {
  const instruction = stage.instructions.find((i) => i.op === op);
  if (!instruction) throw new Error(`no ${op}`);
  const json = /(\[.*\])\s*$/.exec(instruction.args)?.[1];
  if (!json) throw new Error(`${op} is not in exec form: ${instruction.args}`);
  return JSON.parse(json) as string[];
}
