/*
 * pow(x, y) for finite x > 0, y finite, rounded as glibc's pow rounds it
 * (correctly, but for cases rarer than 1 in 2**40). V8's Math.pow is off by
 * an ulp in about 5% of the recorded cases, so CPython's float_pow results
 * are computed here instead: an integer y with |y| <= 64 exactly with BigInt
 * (x**y = m**y × 2**(e·y), one rounding), any other y as exp(y·log x) in
 * double-double arithmetic (~104 bits), rounded once. Invariant: the result
 * is the double nearest the true value, Infinity on overflow, 0 or a
 * subnormal on underflow.
 */
import { divideToDouble, roundToDouble } from './bigMath.js';
import { decompose } from './dtoa.js';

// double-double helpers: a value is hi + lo with |lo| <= ulp(hi)/2
const SPLITTER = 134217729; // 2**27 + 1, Dekker's split
let rh = 0;
let rl = 0;

function twoSum(a: number, b: number): void {
  const s = a + b;
  const bb = s - a;
  rl = a - (s - bb) + (b - bb);
  rh = s;
}
function twoProd(a: number, b: number): void {
  const p = a * b;
  let c = SPLITTER * a;
  const ah = c - (c - a);
  const al = a - ah;
  c = SPLITTER * b;
  const bh = c - (c - b);
  const bl = b - bh;
  rl = ah * bh - p + ah * bl + al * bh + al * bl;
  rh = p;
}
function ddAdd(ah: number, al: number, bh: number, bl: number): void {
  twoSum(ah, bh);
  const sh = rh;
  const sl = rl + al + bl;
  rh = sh + sl;
  rl = sl - (rh - sh);
}
function ddMul(ah: number, al: number, bh: number, bl: number): void {
  twoProd(ah, bh);
  const ph = rh;
  const pl = rl + ah * bl + al * bh;
  rh = ph + pl;
  rl = pl - (rh - ph);
}
function ddDiv(ah: number, al: number, bh: number, bl: number): void {
  const q1 = ah / bh;
  ddMul(q1, 0, bh, bl);
  ddAdd(ah, al, -rh, -rl);
  const r1h = rh;
  const r1l = rl;
  const q2 = r1h / bh;
  ddMul(q2, 0, bh, bl);
  ddAdd(r1h, r1l, -rh, -rl);
  const q3 = rh / bh;
  twoSum(q1, q2);
  ddAdd(rh, rl, q3, 0);
}

const LN2_HI = 0.6931471805599453;
const LN2_LO = 2.3190468138462996e-17;
const N_LOG = 24;
const LOG_COEF_HI = new Float64Array(N_LOG);
const LOG_COEF_LO = new Float64Array(N_LOG);
for (let i = 0; i < N_LOG; i++) {
  ddDiv(2, 0, 2 * i + 1, 0);
  LOG_COEF_HI[i] = rh;
  LOG_COEF_LO[i] = rl;
}
const N_EXP = 12;
const EXP_COEF_HI = new Float64Array(N_EXP);
const EXP_COEF_LO = new Float64Array(N_EXP);
{
  let fh = 1;
  let fl = 0;
  for (let i = 1; i <= N_EXP; i++) {
    ddMul(fh, fl, i, 0);
    fh = rh;
    fl = rl;
    ddDiv(1, 0, fh, fl);
    EXP_COEF_HI[i - 1] = rh;
    EXP_COEF_LO[i - 1] = rl;
  }
}

const frexpView = new DataView(new ArrayBuffer(8));

/** log(x) in double-double, x > 0 finite: k·ln2 + 2·atanh((m-1)/(m+1)). */
function ddLog(x: number): void {
  // frexp without BigInt: x = m × 2**k, m in [1, 2), subnormals scaled up first (all exact)
  let adj = 0;
  if (x < 2 ** -1022) { x *= 2 ** 54; adj = -54; }
  frexpView.setFloat64(0, x);
  let k = ((frexpView.getUint32(0) >>> 20) & 0x7ff) - 1023;
  let m = x * 2 ** -k;
  k += adj;
  if (m > Math.SQRT2) { m /= 2; k++; }
  twoSum(m, 1);
  ddDiv(m - 1, 0, rh, rl);
  const sh = rh;
  const sl = rl;
  ddMul(sh, sl, sh, sl);
  const s2h = rh;
  const s2l = rl;
  let ah = LOG_COEF_HI[N_LOG - 1];
  let al = LOG_COEF_LO[N_LOG - 1];
  for (let i = N_LOG - 2; i >= 0; i--) {
    ddMul(ah, al, s2h, s2l);
    ddAdd(rh, rl, LOG_COEF_HI[i], LOG_COEF_LO[i]);
    ah = rh;
    al = rl;
  }
  ddMul(ah, al, sh, sl);
  const th = rh;
  const tl = rl;
  ddMul(LN2_HI, LN2_LO, k, 0);
  ddAdd(rh, rl, th, tl);
}

/** exp(th + tl) rounded once to a double. */
function ddExpRound(th: number, tl: number): number {
  const k = Math.round(th / LN2_HI);
  ddMul(LN2_HI, LN2_LO, -k, 0);
  ddAdd(th, tl, rh, rl);
  // r / 1024, Taylor series of expm1, then (1 + e)**1024 by squaring e' = 2e + e²
  const xh = rh / 1024;
  const xl = rl / 1024;
  let eh = EXP_COEF_HI[N_EXP - 1];
  let el = EXP_COEF_LO[N_EXP - 1];
  for (let i = N_EXP - 2; i >= 0; i--) {
    ddMul(eh, el, xh, xl);
    ddAdd(rh, rl, EXP_COEF_HI[i], EXP_COEF_LO[i]);
    eh = rh;
    el = rl;
  }
  ddMul(eh, el, xh, xl);
  eh = rh;
  el = rl;
  for (let i = 0; i < 10; i++) {
    ddMul(eh, el, eh, el);
    const qh = rh;
    const ql = rl;
    ddAdd(2 * eh, 2 * el, qh, ql);
    eh = rh;
    el = rl;
  }
  ddAdd(1, 0, eh, el);
  const vh = rh;
  const vl = rl;
  if (k > -1000 && k < 1000) return vh * 2 ** k;
  // near the ends of the range: one exact rounding of (vh + vl) × 2**k
  const a = decompose(Math.abs(vh));
  const b = decompose(Math.abs(vl));
  const shift = a.exponent - b.exponent;
  const q = (a.mantissa << BigInt(shift)) + (vl < 0 ? -b.mantissa : b.mantissa);
  return roundToDouble(q, b.exponent + k, false);
}

/** pow(x, y) for finite x > 0 and finite y ≠ 0, x ≠ 1: the double nearest x**y. */
export function libmPow(x: number, y: number): number {
  if (Number.isInteger(y) && Math.abs(y) <= 64) {
    let { mantissa, exponent } = decompose(x);
    while ((mantissa & 1n) === 0n) { mantissa >>= 1n; exponent++; }
    const n = Math.abs(y);
    const p = mantissa ** BigInt(n);
    if (y > 0) return roundToDouble(p, exponent * n, false);
    return divideToDouble(1n, p, -exponent * n);
  }
  ddLog(x);
  const lh = rh;
  const ll = rl;
  const approx = lh * y;
  if (approx > 710) return Infinity;
  if (approx < -746) return 0;
  ddMul(lh, ll, y, 0);
  return ddExpRound(rh, rl);
}
