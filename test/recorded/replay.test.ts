/**
 * Issue 13: every recording under test/fixtures/recorded/ is a test. Its calls replay in lockdown
 * (test/helpers/recorded.ts: only the recorded interceptors answer, nothing leaves loopback), and
 * the run ends as the recorded one did; every recorded delivery goes through the real listener and
 * must verify with its fixture secret, parse, and reach the handler of its own event, typed.
 * `demo` (`npm start -- --record demo` against the sandbox) is the first; a recording of the real
 * Bracken goes beside it and is tested the same way.
 */
import { describe, expect, it } from 'vitest';
import { EVENT_NAMES, type EventName } from '../../steps/lib/core/event-names.ts';
import { handlePerEvent, type EventHandlers } from '../../steps/lib/listener/index.ts';
import { listRecordings, readRecording, recordingDir } from '../../steps/lib/record/index.ts';
import { onCleanup } from '../helpers/cleanup.ts';
import { startTestListener } from '../helpers/listener.ts';
import { replayRecording, sendRecordedDeliveries } from '../helpers/recorded.ts';

const names = await listRecordings();

it('the demo recording ships with the workbench', () => {
  expect(names).toContain('demo');
});

describe.each(names)('the recording %s', (name) => {
  it('replays offline: the steps send exactly the recorded requests, and end as the recorded runs did', async () => {
    const recording = await readRecording(recordingDir(name));
    const { runs, scopes } = await replayRecording(recording);
    for (const [index, run] of runs.entries()) {
      expect([run.source, run.ok], `run ${index} (${run.source}):\n${run.log.join('\n')}`).toEqual([
        recording.about.runs[index]?.source,
        recording.about.runs[index]?.ok,
      ]);
    }
    const unused = scopes.flatMap((scope) => scope.pendingMocks());
    expect(unused, 'recorded calls the replay did not make').toEqual([]);
  });

  it('every delivery verifies with its fixture secret, parses, and reaches the typed handler of its event', async () => {
    const recording = await readRecording(recordingDir(name));
    const reached: { eventname: EventName; username: string }[] = [];
    const misfits: string[] = [];
    const handlers = Object.fromEntries(
      EVENT_NAMES.map((event) => [event, (payload: { eventname: EventName; username: string }) => void reached.push(payload)]),
    );
    const { listener, close } = await startTestListener({
      secrets: () => recording.about.replay.webhookSecrets,
      handler: handlePerEvent(
        { ...(handlers as EventHandlers), default: (delivery) => void misfits.push(`default ran for ${delivery.id}`) },
        { log: (line) => misfits.push(line) },
      ),
      bodyLimitBytes: 1024 * 1024,
    });
    onCleanup(close);
    const answers = await sendRecordedDeliveries(recording.deliveries, listener.url);
    await listener.idle();

    expect(answers.map((answer) => [answer.status, (answer.json as { duplicate?: boolean }).duplicate === true])).toEqual(
      recording.deliveries.map(({ meta }) => [200, meta.answered.duplicate]),
    );
    expect(misfits).toEqual([]);
    const firstCopies = recording.deliveries.filter(({ meta }) => !meta.answered.duplicate);
    expect(reached.map((event) => event.eventname)).toEqual(firstCopies.map(({ meta }) => meta.event));
    for (const event of reached) expect(recording.about.replay.usernames).toContain(event.username);
  });
});
