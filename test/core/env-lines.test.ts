/**
 * envAssignments: the line each `.env` variable is set on, as Node's parser reads the file, so a
 * variable set twice can be named with both lines (Node keeps the later value without a word).
 */
import { parseEnv } from 'node:util';
import { expect, test } from 'vitest';
import { envAssignments, repeatedAssignments } from '../../steps/lib/core/env-lines.ts';

test('each NAME=value, `export NAME=value` and `NAME = value` line, numbered from 1; comments and blank lines are not', () => {
  const text = '\uFEFFA=1\r\n# B=2\r\n\r\nexport C=3\r\n  D  =  4  \r\n';
  expect(envAssignments(text)).toEqual([
    { name: 'A', line: 1 },
    { name: 'C', line: 4 },
    { name: 'D', line: 5 },
  ]);
});

test("the lines inside a quoted value that runs over several lines are not assignments, as Node's parser reads them", () => {
  const text = 'KEY="-----BEGIN\nA=not-a-variable\n-----END"\nB=\'x\ny=z\'\nC=`q`\nC=2\n';
  expect(Object.keys(parseEnv(text)).sort()).toEqual(['B', 'C', 'KEY']);
  expect(envAssignments(text)).toEqual([
    { name: 'KEY', line: 1 },
    { name: 'B', line: 4 },
    { name: 'C', line: 6 },
    { name: 'C', line: 7 },
  ]);
});

test('a variable set on several lines is listed once with every line, in order; the last is the one Node keeps', () => {
  const text = 'LISTEN_PORT=5000\nA=1\nLISTEN_PORT=5001\nexport LISTEN_PORT=5002\n';
  expect(parseEnv(text)).toEqual({ LISTEN_PORT: '5002', A: '1' });
  expect(repeatedAssignments(envAssignments(text))).toEqual([{ name: 'LISTEN_PORT', lines: [1, 3, 4] }]);
});

test('a quote never closed is part of a one-line value, as Node reads it: the lines after it are still assignments', () => {
  const text = 'A="abc\nLISTEN_PORT=5000\nLISTEN_PORT=5001\n';
  expect(parseEnv(text)).toEqual({ A: '"abc', LISTEN_PORT: '5001' });
  expect(repeatedAssignments(envAssignments(text))).toEqual([{ name: 'LISTEN_PORT', lines: [2, 3] }]);
});
