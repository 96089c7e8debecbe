import { parseMark, progressMark, sequenceOf, streamEpoch } from '../../../functions/views-consumer/progress';

const EPOCH = streamEpoch(new Date('2026-11-22T10:00:00Z'));

test('marks compare as strings the way sequence numbers compare as numbers, whatever their lengths', () => {
  const numbers = [0n, 9n, 10n, 99n, 10n ** 55n - 1n, 10n ** 55n, 49_659_000_000_000_000_000_000_000_000_000_000_000_000_000_000_000_000_000n, 10n ** 128n];
  const marks = numbers.map((n) => progressMark(EPOCH, n));
  expect([...marks].sort()).toEqual(marks);
  expect(marks.map(parseMark)).toEqual(numbers.map((sequenceNumber) => ({ epoch: EPOCH, sequenceNumber })));
});

test("a re-created stream's marks sort after the old stream's, however low its sequence numbers", () => {
  const recreated = streamEpoch(new Date('2026-11-23T10:00:00Z'));
  expect(progressMark(recreated, 1n) > progressMark(EPOCH, 10n ** 128n)).toBe(true);
});

test('anything that is not a mark or a sequence number is refused', () => {
  for (const text of [undefined, '', '12', `${EPOCH}/002/123`, `${EPOCH}/003/0123`, 'a/b/c']) expect(parseMark(text)).toBeUndefined();
  expect(() => sequenceOf('12a')).toThrow('not a Kinesis sequence number: "12a"');
  expect(() => sequenceOf('-1')).toThrow();
  expect(sequenceOf('49659000000000000000000000000000000000000000000000000000')).toBe(49_659_000_000_000_000_000_000_000_000_000_000_000_000_000_000_000_000_000n);
});
