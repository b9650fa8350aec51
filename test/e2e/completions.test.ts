/**
 * The generated completions (npm run build:docs), run for real in bash (with bash-completion),
 * zsh (an interactive zsh on a pseudo-terminal, TAB pressed) and fish (`complete -C`), against
 * the built CLI and a user-mode sandbox: verbs, option values, and live unit names chosen per
 * verb as systemctl's completion does.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { allUnitStates } from '../../src/core/states.ts';
import { type BootedSandbox, bootSandbox } from '../helpers/sandbox.ts';
import { BIN, cliEnv, ensureBuilt, projectRoot } from './helpers.ts';

const COMPLETIONS = path.join(projectRoot, 'completions');

/** What readline puts in COMP_WORDS: blanks separate words, and `=` and `:` are words of their own. */
function readlineWords(line: string): string[] {
  const words = line.split(' ').flatMap((w) => w.split(/([=:])/).filter((p, i, a) => p !== '' || i === a.length - 1));
  return words;
}

function sh(file: string, args: string[], env: NodeJS.ProcessEnv, timeout = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { env, timeout, maxBuffer: 1 << 20 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${file} ${args.join(' ')}: ${err.message}\n${stderr}`)) : resolve(stdout),
    );
  });
}

const BASH_DRIVER = `
source /usr/share/bash-completion/bash_completion
sysherd() { "$SYSHERD_NODE" "$SYSHERD_BIN" "$@"; }
source "$1"; shift
COMP_LINE=$1; COMP_POINT=\${#COMP_LINE}; shift
COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 ))
_sysherd sysherd "\${COMP_WORDS[COMP_CWORD]}" "\${COMP_WORDS[COMP_CWORD-1]}"
(( \${#COMPREPLY[@]} )) && printf '%s\\n' "\${COMPREPLY[@]}"
exit 0
`;

/** An interactive zsh on a pty: source the set-up, type the line, press TAB; the set-up's compadd writes the candidates to a file. */
const ZSH_DRIVER = `
zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z "source \${(q)1}"
zpty -w z "$3"$'\\t'
integer i
for (( i = 0; i < 600; i++ )); do
  [[ -f $2 ]] && grep -q '^DONE$' $2 && break
  zpty -r -t z >/dev/null 2>&1
  sleep 0.05
done
zpty -d z
`;

const zshSetup = (out: string): string => `
PROMPT='' RPROMPT=''
fpath=(${COMPLETIONS} $fpath)
autoload -U compinit && compinit -u -D
sysherd() { "$SYSHERD_NODE" "$SYSHERD_BIN" "$@" }
compadd () {
  if [[ \${@[1,(i)(-|--)]} == *-(O|A|D)\\ * ]]; then builtin compadd "$@"; return $?; fi
  typeset -a __hits
  builtin compadd -A __hits "$@"
  (( $#__hits )) || return 1
  local h; for h in $__hits; do print -r -- "HIT:$IPREFIX$h" >> ${out}; done
}
_capture_done() { print DONE >> ${out} }
comppostfuncs=( _capture_done )
bindkey '^M' undefined-key; bindkey '^J' undefined-key; bindkey '^I' complete-word
`;

type Shell = 'bash' | 'zsh' | 'fish';

/** The --state values starting with `fa`, as the program knows them. */
const FA = allUnitStates().filter((s) => s.startsWith('fa')).sort();

describe('shell completions', () => {
  let sb: BootedSandbox | undefined;
  let tmp = '';
  let env: NodeJS.ProcessEnv = {};
  let n = 0;

  before(async () => {
    ensureBuilt();
    for (const f of ['sysherd.bash', '_sysherd', 'sysherd.fish']) {
      if (!fs.existsSync(path.join(COMPLETIONS, f))) execFileSync('npm', ['run', 'build:docs'], { cwd: projectRoot, stdio: ['ignore', 'ignore', 'inherit'] });
    }
    tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'sysherd-compl-'));
    sb = await bootSandbox('user', {
      units: {
        'compl-run.service': '[Service]\nExecStart=/bin/sleep infinity\n',
        'compl-idle.service': '[Service]\nType=oneshot\nExecStart=/bin/true\n[Install]\nWantedBy=default.target\n',
        'compl-on.service': '[Service]\nExecStart=/bin/sleep infinity\n[Install]\nWantedBy=default.target\n',
        't-compl@.service': '[Service]\nExecStart=/bin/sleep infinity\n',
      },
      setup: async (unitDir) => {
        await fsp.symlink('/dev/null', path.join(unitDir, 'compl-masked.service'));
        await fsp.mkdir(path.join(unitDir, 'default.target.wants'), { recursive: true });
        await fsp.symlink('../compl-on.service', path.join(unitDir, 'default.target.wants', 'compl-on.service'));
      },
    });
    env = cliEnv({ ...sb.env, SYSHERD_NODE: process.execPath, SYSHERD_BIN: BIN, SYSTEMCTL_FORCE_BUS: '1', HOME: tmp, XDG_DATA_HOME: tmp });
    // systemctl waits for the jobs: both are running when it returns
    execFileSync('systemctl', ['--user', 'start', 'compl-run.service', 'compl-on.service'], { env, stdio: ['ignore', 'ignore', 'inherit'], timeout: 60_000 });
  });
  after(async () => {
    await sb?.stop();
    if (tmp) await fsp.rm(tmp, { recursive: true, force: true });
  });

  async function complete(shell: Shell, line: string): Promise<string[]> {
    let out: string;
    if (shell === 'bash') {
      out = await sh('bash', ['-c', BASH_DRIVER, 'bash', path.join(COMPLETIONS, 'sysherd.bash'), line, ...readlineWords(line)], env);
    } else if (shell === 'fish') {
      const script = 'function sysherd; $SYSHERD_NODE $SYSHERD_BIN $argv; end; source $argv[1]; complete -C $argv[2]';
      out = (await sh('fish', ['--no-config', '-c', script, path.join(COMPLETIONS, 'sysherd.fish'), line], env))
        .split('\n')
        .map((l) => l.split('\t')[0]!)
        .join('\n');
    } else {
      const file = path.join(tmp, `zsh-${++n}.out`);
      const setup = path.join(tmp, `zsh-${n}.zsh`);
      await fsp.writeFile(setup, zshSetup(file));
      await sh('zsh', ['-f', '-c', ZSH_DRIVER, 'zsh', setup, file, line], env);
      const text = fs.existsSync(file) ? await fsp.readFile(file, 'utf8') : '';
      assert.match(text, /^DONE$/m, `zsh did not complete ${JSON.stringify(line)} (no DONE)`);
      out = text
        .split('\n')
        .filter((l) => l.startsWith('HIT:'))
        // compadd -A stores the matches as they are inserted, quoted for the line: unquote
        .map((l) => l.slice(4).replace(/\\(.)/g, '$1'))
        .join('\n');
    }
    return [...new Set(out.split('\n').filter((l) => l !== ''))].sort();
  }

  /** Each line, and what every shell must offer (exactly). */
  const cases: [string, string[]][] = [
    ['sysherd sandbox st', ['start', 'stop']],
    ['sysherd list-unit', ['list-unit-files', 'list-units']],
    ['sysherd --job-mode replace-', ['replace-irreversibly']],
    ['sysherd --kill-whom ma', ['main']],
    ['sysherd -o json-p', ['json-pretty']],
    ['sysherd --type tim', ['timer']],
    ['sysherd --state fa', FA],
    ['sysherd -p ActiveSt', ['ActiveState']],
    ['sysherd --user herd sto', ['stop', 'stopped?']],
    // live unit names, per verb, from the user manager (--user on the line)
    ['sysherd --user start compl-', ['compl-idle.service']],
    ['sysherd --user stop compl-', ['compl-on.service', 'compl-run.service']],
    // restart: every unit that can start, as systemctl's script (inactive ones too)
    ['sysherd restart --user compl-', ['compl-idle.service', 'compl-on.service', 'compl-run.service']],
    ['sysherd --user enable compl-', ['compl-idle.service']],
    ['sysherd --user disable compl-', ['compl-on.service']],
    ['sysherd --user unmask compl-', ['compl-masked.service']],
    ['sysherd --user status compl-', ['compl-idle.service', 'compl-masked.service', 'compl-on.service', 'compl-run.service']],
    ['sysherd --user herd stop compl-', ['compl-on', 'compl-run']],
    // without --user: the system manager, where these units are not (nothing offered, no error text)
    ['sysherd stop compl-', []],
  ];

  for (const shell of ['bash', 'zsh', 'fish'] as const) {
    test(`${shell}: verbs, values and live unit names`, async () => {
      for (const [line, want] of cases) {
        assert.deepEqual(await complete(shell, line), want, `${shell}: ${line}<TAB>`);
      }
      // split forms: --opt=value
      const eq = await complete(shell, 'sysherd --state=fa');
      assert.deepEqual(eq.map((c) => c.replace(/^--state=/, '')).sort(), FA, `${shell}: --state=fa<TAB> → ${eq.join(' ')}`);
      const json = await complete(shell, 'sysherd --json=pr');
      assert.ok(json.length === 1 && /(^|=)pretty$/.test(json[0]!), `${shell}: --json=pr<TAB> → ${json.join(' ')}`);
      // directories for sandbox
      const dirs = await complete(shell, `sysherd sandbox stop ${tmp.slice(0, -2)}`);
      // zsh's _files offers the last path component
      assert.ok(dirs.some((d) => d.replace(/\/$/, '') === (shell === 'zsh' ? path.basename(tmp) : tmp)), `${shell}: sandbox dirs → ${dirs.join(' ')}`);
    });
  }

  test('__complete prints names only: no colour, no error text, nothing without a bus', async () => {
    const r = await sh(process.execPath, [BIN, '__complete', '--', '--user', 'stop', 'compl-'], { ...env, FORCE_COLOR: '1' });
    assert.equal(r, 'compl-on.service\ncompl-run.service\n');
    const none = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [BIN, '__complete', '--', '--user', 'stop', 'x'], { env: { ...env, DBUS_SESSION_BUS_ADDRESS: `unix:path=${tmp}/nothing`, XDG_RUNTIME_DIR: tmp } }, (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
      );
    });
    assert.equal(none.stdout, '');
    assert.equal(none.stderr, '');
  });
});
