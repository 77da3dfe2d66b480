import fc from 'fast-check';

/** Strings that parsers of numbers, names, escapes and tokens tend to get wrong. */
const NASTY = [
  '', '0', '-1', '1', '5', '100', '500', '501', '65535', '65536', '2147483647', '2147483648', '-2147483649',
  '9223372036854775807', '9223372036854775808', '99999999999999999999999999', '0x10', '0x', '+3', '1_0', '_1', '1e3',
  '1.5', ' 1', '1 ', 'NaN', 'Infinity', 'null', 'true', '[]', '{}', '%', '%zz', '%0', '%00', '%ff%fe', '%C0%80', '%ED%A0%80',
  '\u0000', 'a\u0000b', '\u0000\u0000\u0000', '\r\n', '\t', '🙂', '\ud800', '\udfff', '\ufeff', '\u202e', 'ünïcödé',
  '../../etc/passwd', "' OR 1=1 --", '"; DROP TABLE keto_relation_tuples; --', '$1', '?', '#', '&', '=', '+', 'a+b',
  'User', 'Group', 'Folder', 'Doc', 'user', 'members', 'viewers', 'view', 'alice', 'subject_id', '.', 'eyJ2IjoxfQ.AAAA',
];

/** A query or JSON string value: nasty constants, random text of every kind, long runs. */
export const garbageString: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...NASTY) },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom('%', '0', 'f', 'z', '\u0000', '&', '='), maxLength: 20 }) },
  { weight: 1, arbitrary: fc.integer({ min: -(2 ** 53), max: 2 ** 53 }).map(String) },
  { weight: 1, arbitrary: fc.base64String({ maxLength: 200 }).map((s) => `${s}.${s.slice(0, 43)}`) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(2_000, 20_000), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 })).map(([n, c]) => c.repeat(n)) },
);
