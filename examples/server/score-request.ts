/**
 * The body of `POST /score`: a loan application as JSON, validated into the arguments of
 * the Atlas function `assess` (examples/server/scoring.atlas).
 *
 *     { "amount": 12000, "income": 5200, "debt": 800, "age": 37, "late": 1, "samples": 200 }
 *
 * `samples` (optional, default 200) is how many amounts the sensitivity sweep scores.
 */

export interface ScoreRequest {
  readonly amount: number;
  readonly income: number;
  readonly debt: number;
  readonly age: number;
  readonly late: number;
  readonly samples: number;
}

export const DEFAULT_SAMPLES = 200;
export const MAX_SAMPLES = 100_000;

const FIELDS = ['amount', 'income', 'debt', 'age', 'late'] as const;

/** A request the server answers with 400 and this message. */
export class BadRequest extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BadRequest';
  }
}

export function parseScoreRequest(body: string): ScoreRequest {
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch {
    throw new BadRequest('the body is not valid JSON');
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new BadRequest('the body must be a JSON object');
  const record = data as Record<string, unknown>;
  const fields = Object.fromEntries(FIELDS.map((name) => [name, nonNegative(record, name)])) as Record<(typeof FIELDS)[number], number>;
  const samples = record.samples === undefined ? DEFAULT_SAMPLES : nonNegative(record, 'samples');
  if (!Number.isInteger(samples) || samples < 1 || samples > MAX_SAMPLES) {
    throw new BadRequest(`"samples" must be an integer from 1 to ${MAX_SAMPLES}`);
  }
  return { ...fields, samples };
}

function nonNegative(record: Record<string, unknown>, name: string): number {
  const value = record[name];
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new BadRequest(`"${name}" must be a finite number ≥ 0`);
  }
  return value;
}

/** The arguments of `assess`, in its parameter order. */
export function assessArgs(request: ScoreRequest): number[] {
  return [request.amount, request.income, request.debt, request.age, request.late, request.samples];
}
