/**
 * One-line examples for the `--help` of verbs whose own help has none. A verb that adds its own
 * "Examples:" block (`.addHelpText('after', …)` in its file) wins: these are looked at only when
 * help is shown, and only printed when the verb's other help text has no examples.
 */
import type { Command } from 'commander';

/** By command path (`sandbox start`). */
export const FALLBACK_EXAMPLES: Record<string, string[]> = {
  start: ['sysherd start nginx', 'sysherd --user start --no-block app.service'],
  stop: ['sysherd stop nginx', "sysherd stop 'app@*.service'"],
  restart: ['sysherd restart nginx', 'sysherd restart --json a.service b.service | jq .exitCode'],
  reload: ['sysherd reload nginx'],
  'try-restart': ['sysherd try-restart nginx'],
  'reload-or-restart': ['sysherd reload-or-restart nginx'],
  'try-reload-or-restart': ['sysherd try-reload-or-restart nginx'],
  kill: ['sysherd kill -s SIGHUP --kill-whom=main nginx'],
  'list-jobs': ['sysherd list-jobs', "sysherd list-jobs --json | jq -r '.[].unit'"],
  cancel: ['sysherd cancel 42', 'sysherd cancel'],
  'reset-failed': ['sysherd reset-failed', "sysherd reset-failed 'app@*.service'"],
  'daemon-reload': ['sysherd daemon-reload', 'sysherd --user daemon-reload'],
  'daemon-reexec': ['sysherd daemon-reexec'],
  enable: ['sysherd enable --now nginx', 'sysherd --user enable app.service'],
  disable: ['sysherd disable --now nginx'],
  reenable: ['sysherd reenable nginx'],
  mask: ['sysherd mask --runtime nginx'],
  unmask: ['sysherd unmask nginx'],
  'list-unit-files': ["sysherd list-unit-files --state=enabled", "sysherd list-unit-files --json | jq -r '.[] | select(.state == \"enabled\") | .unit_file'"],
  'is-active': ['sysherd is-active --quiet nginx && echo up', 'sysherd is-active --json a.service b.service'],
  'is-failed': ['sysherd is-failed --quiet nginx || echo fine'],
  'is-enabled': ['sysherd is-enabled nginx', 'sysherd is-enabled --json nginx sshd'],
  'is-system-running': ['sysherd is-system-running', 'sysherd is-system-running --json'],
  status: ['sysherd status nginx', 'sysherd status -n 50 --no-pager nginx', "sysherd status --json nginx | jq '.[0].mainPid'"],
  show: ['sysherd show -p ActiveState,SubState nginx', 'sysherd show -P MainPID nginx'],
  cat: ['sysherd cat nginx'],
  'list-dependencies': ['sysherd list-dependencies multi-user.target', 'sysherd list-dependencies --reverse nginx'],
  'list-sockets': ['sysherd list-sockets', "sysherd list-sockets --json | jq -r '.[].listen'"],
  'list-timers': ['sysherd list-timers --all', "sysherd list-timers --json | jq -r '.[].unit'"],
  'show-environment': ['sysherd show-environment', 'sysherd --user show-environment'],
  herd: ['sysherd herd status', 'sysherd herd start nginx'],
  watch: ['sysherd watch', 'sysherd watch --json | jq -c .'],
  sandbox: ['sysherd sandbox start /tmp/sb', 'sysherd sandbox stop /tmp/sb'],
  'sandbox start': ['sysherd sandbox start /tmp/sb', 'sysherd sandbox start --user /tmp/usb', 'sysherd sandbox start --system /tmp/sb /srv/app'],
  'sandbox stop': ['sysherd sandbox stop /tmp/sb'],
  'sandbox exec': ['sysherd sandbox exec /tmp/sb -- systemctl status', 'sysherd sandbox exec --uid 65534 /tmp/sb -- systemctl start foo'],
  demo: ['sysherd demo', 'sysherd demo --sandbox'],
  help: ['sysherd help nginx', 'sysherd help --json sshd'],
  isolate: ['sysherd isolate multi-user.target'],
  'get-default': ['sysherd get-default'],
  'set-default': ['sysherd set-default multi-user.target'],
  'set-property': ['sysherd set-property nginx.service CPUWeight=200', 'sysherd set-property --runtime nginx.service MemoryMax=1G'],
  'set-environment': ['sysherd --user set-environment EDITOR=vim'],
  'unset-environment': ['sysherd --user unset-environment EDITOR'],
  'import-environment': ['sysherd --user import-environment PATH'],
  preset: ['sysherd preset nginx'],
  'preset-all': ['sysherd preset-all'],
  revert: ['sysherd revert nginx'],
  edit: ['sysherd edit nginx'],
  link: ['sysherd link /srv/app/app.service'],
  'add-wants': ['sysherd add-wants multi-user.target app.service'],
  'add-requires': ['sysherd add-requires multi-user.target app.service'],
  'list-automounts': ['sysherd list-automounts'],
  'list-paths': ['sysherd list-paths'],
  'list-machines': ['sysherd list-machines'],
  clean: ['sysherd clean --what=cache nginx'],
  freeze: ['sysherd freeze app.service'],
  thaw: ['sysherd thaw app.service'],
  'log-level': ['sysherd log-level', 'sysherd log-level debug'],
  'log-target': ['sysherd log-target journal'],
  'service-log-level': ['sysherd service-log-level nginx.service debug'],
  'service-log-target': ['sysherd service-log-target nginx.service journal'],
  'service-watchdogs': ['sysherd service-watchdogs', 'sysherd service-watchdogs no'],
  'whoami': ['sysherd whoami'],
  poweroff: ['sysherd poweroff'],
  reboot: ['sysherd reboot'],
  halt: ['sysherd halt'],
  kexec: ['sysherd kexec'],
  suspend: ['sysherd suspend'],
  hibernate: ['sysherd hibernate'],
  'hybrid-sleep': ['sysherd hybrid-sleep'],
  'suspend-then-hibernate': ['sysherd suspend-then-hibernate'],
  rescue: ['sysherd rescue'],
  emergency: ['sysherd emergency'],
  default: ['sysherd default'],
  exit: ['sysherd --user exit'],
};

/** A value to show for an argument of this name, when a verb has no examples at all. */
function sampleValue(name: string): string {
  if (/pattern/i.test(name)) return "'app-*'";
  if (/target/i.test(name)) return 'multi-user.target';
  if (/unit|service|name/i.test(name)) return 'nginx.service';
  if (/pid/i.test(name)) return '1234';
  if (/job|id/i.test(name)) return '42';
  if (/dir/i.test(name)) return '/tmp/sb';
  if (/file|path/i.test(name)) return '/etc/systemd/system/app.service';
  return name.toUpperCase();
}

/** For a verb in neither its own file nor the table: its usage with sample values. */
function generated(sub: Command, path: string[]): string[] {
  const args = sub.registeredArguments.map((a) => sampleValue(a.name()));
  return [['sysherd', ...path, ...args].join(' ')];
}

const ours = new WeakSet<object>();

/** The text `cmd`'s other after-help listeners write (its own examples, if any). */
function ownAfterHelp(cmd: Command): string {
  let text = '';
  const context = { error: false, command: cmd, write: (s: string) => void (text += s) };
  for (const l of (cmd as unknown as NodeJS.EventEmitter).listeners('afterHelp')) {
    if (!ours.has(l)) (l as (c: typeof context) => void)(context);
  }
  return text;
}

/** Give every command without examples of its own the fallback ones (shown with `--help`). */
export function addFallbackExamples(program: Command, examples: Record<string, string[]> = FALLBACK_EXAMPLES): void {
  const visit = (cmd: Command, path: string[]): void => {
    for (const sub of cmd.commands) {
      const p = [...path, sub.name()];
      if (!(sub as unknown as { _hidden?: boolean })._hidden) {
        // made when help is shown, not at every start
        sub.addHelpText('after', () => {
          if (/(^|\n)Examples?:/.test(ownAfterHelp(sub))) return '';
          const lines = examples[p.join(' ')] ?? generated(sub, p);
          return `\nExamples:\n${lines.map((l) => `  ${l}`).join('\n')}\n`;
        });
        const added = (sub as unknown as NodeJS.EventEmitter).listeners('afterHelp').at(-1);
        if (added) ours.add(added);
      }
      visit(sub, p);
    }
  };
  visit(program, []);
}
