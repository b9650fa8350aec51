/**
 * Comparing sysherd's stderr with systemctl's: `sysherd: MESSAGE` (sysherd's one error format) is
 * systemctl's `MESSAGE.`; other lines name `sysherd` where systemctl names itself
 * (`See "sysherd status x.service" …`).
 */
export function comparableStderr(ours: string, ref: string): { ours: string; ref: string } {
  const o = ours.split('\n');
  const r = ref.split('\n');
  o.forEach((line, i) => {
    if (line.startsWith('sysherd: ')) {
      o[i] = line.slice('sysherd: '.length);
      if (r[i] !== undefined) r[i] = r[i]!.replace(/\.$/, '');
    } else o[i] = line.replace(/(["'])sysherd /g, '$1systemctl ');
  });
  return { ours: o.join('\n'), ref: r.join('\n') };
}
