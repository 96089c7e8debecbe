import { addDecimals, formatDecimal, parseDecimal } from '../../../functions/views-consumer/decimal';

const sum = (...texts: string[]) => formatDecimal(texts.map((t) => parseDecimal(t)!).reduce(addDecimals));

test('sums stay exact where floating point drifts', () => {
  expect(0.1 + 0.2).not.toBe(0.3);
  expect(sum('0.1', '0.2')).toBe('0.3');
  expect(sum(...Array.from({ length: 1000 }, () => '0.01'))).toBe('10.00');
});

test('different scales align; signs and leading zeros survive', () => {
  expect(sum('12.5', '0.125', '3')).toBe('15.625');
  expect(sum('-1.25', '0.5')).toBe('-0.75');
  expect(sum('0.05')).toBe('0.05');
  expect(sum('+7')).toBe('7');
});

test.each(['', 'abc', '1e9', '1.', '.5', '1.2.3', '1,5', '1234567890123456789', '0.1234567890', ' 1'])('%j is not a decimal', (text) => {
  expect(parseDecimal(text)).toBeUndefined();
});
