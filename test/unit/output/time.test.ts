/**
 * systemd's formatting, pinned to systemd 252's own output (`systemd-analyze timespan`,
 * `systemd-analyze timestamp`, v252 time-util.c and format-util.c).
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import {
  dualNow,
  formatBytes,
  formatTimespan,
  formatTimestamp,
  formatTimestampRelative,
  parsePosixTz,
  parseTimestampStyle,
  TIMESTAMP_STYLES,
  USEC_PER_DAY,
  USEC_PER_HOUR,
  USEC_PER_MINUTE,
  USEC_PER_MONTH,
  USEC_PER_SEC,
  USEC_PER_WEEK,
  USEC_PER_YEAR,
} from '../../../src/output/time.ts';

const savedTZ = process.env.TZ;
after(() => {
  if (savedTZ === undefined) delete process.env.TZ;
  else process.env.TZ = savedTZ;
});

describe('formatTimespan (accuracy 1us, as systemd-analyze timespan)', () => {
  const cases: [bigint | number | null, string][] = [
    [0, '0'],
    [1, '1us'],
    [999, '999us'],
    [1000, '1ms'],
    [1500, '1.500ms'],
    [1_000_000, '1s'],
    [1_500_000, '1.500000s'],
    [59_000_000, '59s'],
    [59_999_999, '59.999999s'],
    [60_000_000, '1min'],
    [61_000_000, '1min 1s'],
    [90_000_000, '1min 30s'],
    [300_000_000, '5min'],
    [3_599_000_000, '59min 59s'],
    [USEC_PER_HOUR, '1h'],
    [USEC_PER_HOUR + USEC_PER_SEC, '1h 1s'],
    [25n * USEC_PER_HOUR, '1d 1h'],
    [2n * USEC_PER_DAY, '2d'],
    [USEC_PER_WEEK, '1w'],
    [8n * USEC_PER_DAY, '1w 1d'],
    [USEC_PER_MONTH, '1month'],
    [USEC_PER_YEAR, '1y'],
    [USEC_PER_YEAR + USEC_PER_MONTH, '1y 1month'],
    [100_000, '100ms'],
    [1_000_001, '1.000001s'],
    [12_345_678, '12.345678s'],
    [3n * USEC_PER_HOUR + 2n * USEC_PER_MINUTE + 3_004_000n, '3h 2min 3.004000s'],
    [0xffff_ffff_ffff_ffffn, 'infinity'],
    [null, 'infinity'],
  ];
  for (const [v, want] of cases) it(`${String(v)} → ${want}`, () => assert.equal(formatTimespan(v, 1), want));

  it('with accuracy 1ms and 1s (as status uses it)', () => {
    assert.equal(formatTimespan(1_500_000, 1000), '1.500s');
    assert.equal(formatTimespan(1_234_567, 1000), '1.234s');
    assert.equal(formatTimespan(90_500_000, 1000), '1min 30.500s');
    assert.equal(formatTimespan(90_500_000, 1_000_000), '1min 30s');
    assert.equal(formatTimespan(1_500_000, 0), '1.500000s');
    assert.equal(formatTimespan(USEC_PER_HOUR + 1500n, 1000), '1h 1ms');
  });
});

describe('formatTimestamp (as systemd-analyze timestamp)', () => {
  const t = (s: number) => BigInt(s) * USEC_PER_SEC + 123_456n;
  const cases: [string, number, string][] = [
    ['UTC', 1795319329, 'Sun 2026-11-22 03:48:49 UTC'],
    ['UTC', 1780000000, 'Thu 2026-05-28 20:26:40 UTC'],
    ['UTC', 1000000000, 'Sun 2001-09-09 01:46:40 UTC'],
    ['UTC', 4102444800, 'Fri 2100-01-01 00:00:00 UTC'],
    ['Europe/Berlin', 1795319329, 'Sun 2026-11-22 04:48:49 CET'],
    ['Europe/Berlin', 1780000000, 'Thu 2026-05-28 22:26:40 CEST'],
    ['Europe/Berlin', 1000000000, 'Sun 2001-09-09 03:46:40 CEST'],
    ['Europe/Berlin', 4102444800, 'Fri 2100-01-01 01:00:00 CET'],
    ['America/New_York', 1795319329, 'Sat 2026-11-21 22:48:49 EST'],
    ['America/New_York', 1780000000, 'Thu 2026-05-28 16:26:40 EDT'],
    ['America/New_York', 4102444800, 'Thu 2099-12-31 19:00:00 EST'],
    ['Asia/Kolkata', 1780000000, 'Fri 2026-05-29 01:56:40 IST'],
    ['Australia/Lord_Howe', 1795319329, 'Sun 2026-11-22 14:48:49 +11'],
    ['Australia/Lord_Howe', 1780000000, 'Fri 2026-05-29 06:56:40 +1030'],
    ['Australia/Lord_Howe', 4102444800, 'Fri 2100-01-01 11:00:00 +11'],
  ];
  for (const [tz, secs, want] of cases) {
    it(`${tz} @${secs}`, () => {
      process.env.TZ = tz;
      assert.equal(formatTimestamp(t(secs)), want);
    });
  }
  it('us, utc and unix styles; unset is null', () => {
    process.env.TZ = 'Europe/Berlin';
    assert.equal(formatTimestamp(t(1795319329), 'us'), 'Sun 2026-11-22 04:48:49.123456 CET');
    assert.equal(formatTimestamp(t(1795319329), 'utc'), 'Sun 2026-11-22 03:48:49 UTC');
    assert.equal(formatTimestamp(t(1795319329), 'us+utc'), 'Sun 2026-11-22 03:48:49.123456 UTC');
    assert.equal(formatTimestamp(t(1795319329), 'unix'), '@1795319329');
    assert.equal(formatTimestamp(Number(t(1795319329))), 'Sun 2026-11-22 04:48:49 CET');
    assert.equal(formatTimestamp(0), null);
    assert.equal(formatTimestamp(null), null);
    assert.equal(formatTimestamp(0xffff_ffff_ffff_ffffn), null);
  });
  it('a POSIX TZ string', () => {
    assert.deepEqual(parsePosixTz('CET-1CEST,M3.5.0,M10.5.0/3'), { std: 'CET', dst: 'CEST', stdOffset: 3600 });
    assert.deepEqual(parsePosixTz('<+0530>-5:30'), { std: '+0530', dst: null, stdOffset: 19800 });
    assert.deepEqual(parsePosixTz('EST5EDT'), { std: 'EST', dst: 'EDT', stdOffset: -18000 });
  });
});

describe('--timestamp styles (timestamp_style_from_string)', () => {
  it('the table in systemd 252\'s order (what --timestamp=help prints)', () => {
    assert.deepEqual(TIMESTAMP_STYLES, ['pretty', 'us', 'utc', 'us+utc', 'unix']);
  });
  it('each name, and the µs spellings with the micro sign or the Greek mu', () => {
    for (const s of TIMESTAMP_STYLES) assert.equal(parseTimestampStyle(s), s);
    assert.equal(parseTimestampStyle('\u00b5s'), 'us');
    assert.equal(parseTimestampStyle('\u03bcs'), 'us');
    assert.equal(parseTimestampStyle('\u00b5s+utc'), 'us+utc');
    assert.equal(parseTimestampStyle('\u03bcs+utc'), 'us+utc');
  });
  it('nothing else: case, spaces, lists and help are not styles', () => {
    for (const bad of ['', 'US', 'Pretty', ' utc', 'utc+us', 'pretty,utc', 'help', 'µ', 'usec']) assert.equal(parseTimestampStyle(bad), undefined, bad);
  });
  it('a style formats as systemd formats it (the µs part, the zone, @seconds)', () => {
    process.env.TZ = 'Asia/Tokyo';
    const t = 1795319329n * USEC_PER_SEC + 7n;
    assert.equal(formatTimestamp(t, parseTimestampStyle('\u00b5s')), 'Sun 2026-11-22 12:48:49.000007 JST');
    assert.equal(formatTimestamp(t, parseTimestampStyle('\u03bcs+utc')), 'Sun 2026-11-22 03:48:49.000007 UTC');
    assert.equal(formatTimestamp(t, 'utc'), 'Sun 2026-11-22 03:48:49 UTC');
    assert.equal(formatTimestamp(t, 'unix'), '@1795319329');
    // unset stays unset in every style (systemctl then prints an empty value or "n/a")
    for (const s of TIMESTAMP_STYLES) assert.equal(formatTimestamp(0, s), null);
  });
});

describe('formatTimestampRelative (v252 thresholds)', () => {
  const now = 1_795_319_329_000_000n;
  const cases: [bigint, string][] = [
    [0n, 'now'],
    [1n, '1us ago'],
    [999n, '999us ago'],
    [1500n, '1ms ago'],
    [USEC_PER_SEC, '1s ago'],
    [59n * USEC_PER_SEC + 999_999n, '59s ago'],
    [USEC_PER_MINUTE, '1min 0s ago'],
    [3n * USEC_PER_MINUTE + 2n * USEC_PER_SEC, '3min 2s ago'],
    [5n * USEC_PER_MINUTE, '5min ago'],
    [59n * USEC_PER_MINUTE + 59n * USEC_PER_SEC, '59min ago'],
    [USEC_PER_HOUR, '1h 0min ago'],
    [5n * USEC_PER_HOUR + 59n * USEC_PER_MINUTE, '5h 59min ago'],
    [6n * USEC_PER_HOUR, '6h ago'],
    [25n * USEC_PER_HOUR - 1n, '24h ago'],
    [25n * USEC_PER_HOUR, '1 day 1h ago'],
    [47n * USEC_PER_HOUR, '1 day 23h ago'],
    [2n * USEC_PER_DAY, '2 days ago'],
    [USEC_PER_WEEK, '1 week 0 days ago'],
    [USEC_PER_WEEK + USEC_PER_DAY, '1 week 1 day ago'],
    [3n * USEC_PER_WEEK + 2n * USEC_PER_DAY, '3 weeks 2 days ago'],
    [USEC_PER_MONTH, '1 month 0 days ago'],
    [2n * USEC_PER_MONTH + USEC_PER_DAY, '2 months 1 day ago'],
    [USEC_PER_YEAR + USEC_PER_MONTH, '1 year 1 month ago'],
    [3n * USEC_PER_YEAR + 2n * USEC_PER_MONTH, '3 years 2 months ago'],
  ];
  for (const [d, want] of cases) it(`${d}us → ${want}`, () => assert.equal(formatTimestampRelative(now - d, now), want));
  it('the future is "left"; unset is null', () => {
    assert.equal(formatTimestampRelative(now + 5n * USEC_PER_DAY, now), '5 days left');
    assert.equal(formatTimestampRelative(now + 90n * USEC_PER_SEC, now), '1min 30s left');
    assert.equal(formatTimestampRelative(0, now), null);
    assert.equal(formatTimestampRelative(null, now), null);
  });
  it('defaults to the clock', () => {
    const r = formatTimestampRelative(BigInt(Date.now() - 5000) * 1000n);
    assert.match(r ?? '', /^[56]s ago$/);
  });
});

describe('formatBytes (format_bytes: IEC, one decimal, trailing B)', () => {
  const cases: [bigint | number, string | null][] = [
    [0, '0B'],
    [512, '512B'],
    [1023, '1023B'],
    [1024, '1.0K'],
    [1536, '1.5K'],
    [1_258_291, '1.1M'], // truncated, as systemd's
    [1_300_000, '1.2M'],
    [10 * 1024 * 1024, '10.0M'],
    [1024 ** 3 * 3.5, '3.5G'],
    [BigInt(1024) ** 6n * 2n, '2.0E'],
    [0xffff_ffff_ffff_ffffn, null],
  ];
  for (const [v, want] of cases) it(`${v} → ${want}`, () => assert.equal(formatBytes(v), want));
  it('without the decimal, SI, no trailing B', () => {
    assert.equal(formatBytes(1_258_291, { belowPoint: false }), '1M');
    assert.equal(formatBytes(1_500_000, { iec: false }), '1.5M');
    assert.equal(formatBytes(12, { trailingB: false }), '12');
  });
});

describe('dualNow', () => {
  it('reads realtime and monotonic at one instant: their difference does not drift between reads', async () => {
    const a = dualNow();
    await new Promise((r) => setTimeout(r, 30));
    const b = dualNow();
    assert.ok(b.monotonic - a.monotonic >= 29_000n, 'the monotonic clock moved');
    const drift = b.realtime - b.monotonic - (a.realtime - a.monotonic);
    // a realtime read taken apart from the monotonic one (the bug a timer's Trigger: line had)
    // would show up here as the time between the two reads
    assert.ok(drift >= -50n && drift <= 50n, `realtime − monotonic moved by ${drift} µs`);
  });
});
