// Every program in examples/ compiles and prints exactly what an independent computation
// of the same algorithm gives (the expected lines were computed in plain JavaScript).
import { readdirSync, readFileSync } from 'node:fs';
import test from 'ava';
import { compile } from '../src/compiler/index.js';
import { Vm } from '../src/vm/index.js';

const EXAMPLES = new URL('../../examples/', import.meta.url);

const EXPECTED: Readonly<Record<string, readonly string[]>> = {
  'numeric-kernels.atlas': [
    '1.4142135623730951', // sqrt(2), correctly rounded (Newton's method stopped 1 ulp short)
    '100000', // sqrt(1e10)
    '3.1415926535897913', // Simpson, 1000 intervals
    '3.1415426535898248', // Leibniz, 20000 terms
    '669', // primes below 5000
    '3711', // longest Collatz chain start below 5000
    '6.25', // dot(u, v)
    '4.130677910464576', // |u|
  ],
  // Checked against the same loop in plain JavaScript.
  'hot-loop.atlas': ['11134999.991048401'],
  'recursion.atlas': ['6765', '9', '21', '1594323', '1024', '4095', 'true', 'true', '8', '-1'],
  'pricing.atlas': ['28.89', '272.23', '550.8', '450', '20000', '2921', '231747762.85'],
  // pow is the host C library's: V8's Math.pow(Math.E, -2.5) is 1 ulp off, 0.08208499862389881.
  'risk-score.atlas': [
    '2.718281828459045', '0.0820849986238988', '0.003656986816831709', '0.9183602878982866', '0',
    '1642', '1160', '198',
  ],
};

const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.atlas')).sort();

test('every example has its expected output listed here', (t) => {
  t.deepEqual(files, Object.keys(EXPECTED).sort());
});

for (const file of files) {
  test(`examples/${file} runs correctly`, (t) => {
    const source = readFileSync(new URL(file, EXAMPLES), 'utf8');
    const out: string[] = [];
    new Vm(compile(source, `examples/${file}`), { stdout: (line) => out.push(line) }).run();
    t.deepEqual(out, EXPECTED[file]);
  });
}
