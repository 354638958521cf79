/*
 * The pure semantics of Python 3.11's values, as TypeScript functions over
 * JavaScript values — no heap, no layout: what every later piece (the
 * evaluation loop, the heap objects' methods, f-strings) calls to compute
 * what CPython computes and raise what CPython raises (PyException).
 *
 * Representations: int is bigint, float is number, complex is {real, imag},
 * bytes are Uint8Array, and str is a JavaScript string whose code points are
 * the str's (a surrogate pair is one astral character, an unpaired surrogate
 * is that surrogate code point; functions count code points where Python
 * does). Unicode properties are CPython 3.11.7's (Unicode 14.0.0), taken from
 * its own database, not from the ICU inside Node.
 *
 * Known differences from CPython, each small and deliberate:
 * - a str holding a high surrogate code point directly followed by a low
 *   one cannot be told from the astral character they pair into
 *   (codePoints.ts); every other str, lone surrogates included, is exact;
 * - float ** float is correctly rounded (libmPow.ts), glibc's pow is not
 *   always (1 of the 2568 recorded cases, marked in the fixture); a negative
 *   float to a fractional power goes through Math.hypot/atan2/cos/sin, whose
 *   last bits may differ from glibc's (checked to 8 ulps);
 * - the 'n' presentation type uses the C locale (no grouping, '.'), which
 *   is CPython's unless the program calls locale.setlocale;
 * - Case_Ignorable (only the final-sigma rule of lower() uses it) comes
 *   from Node's ICU;
 * - ints beyond 2**30 bits (V8's BigInt limit) raise MemoryError where
 *   CPython would still compute.
 */

/** PyException: the Python exception a value operation raises, and helpers to raise one. */
export { PyException, type PyExceptionType, raise } from './pyException.js';

/** _Py_dg_dtoa's digit strings (modes 0, 2, 3) and the exact decomposition of a double. */
export { dtoa, dtoaExact, decompose, type Digits } from './dtoa.js';
/** PyOS_double_to_string and float_repr. */
export { doubleToString, floatRepr, DTSF_SIGN, DTSF_ADD_DOT_0, DTSF_ALT, DTSF_NO_NEG_0, type DoubleFormatCode } from './floatRepr.js';
/** float(str) and the ASCII/underscore normalisation int() shares. */
export { floatFromString, transformDecimalAndSpaceToAscii, stripAsciiSpace, removeUnderscores } from './floatParse.js';
/** float arithmetic, round, as_integer_ratio, is_integer, hex/fromhex, int(float), float(int), complex pow. */
export {
  floatTrueDivide, floatFloorDivide, floatModulo, floatDivmod, floatPow, floatRound, floatRoundToInt,
  floatAsIntegerRatio, floatIsInteger, floatHex, floatFromHex, floatToInt, intToFloat,
  complexPow, complexQuotient, type Complex,
} from './floatArith.js';
/** Exact big-integer ↔ double rounding (long_true_divide's core). */
export { bitLength, roundToDouble, divideToDouble } from './bigMath.js';
/** pow(x, y) rounded as glibc rounds it (V8's Math.pow is not). */
export { libmPow } from './libmPow.js';

/** The representation of str: code points in a JS string, and the helpers that count and index them. */
export { isBmpOnly, codePointAt, strLength, toCodePoints, fromCodePoints, unitOffsets, strCompare } from './codePoints.js';
/** repr() and ascii() of a str. */
export { strRepr, strAscii } from './strRepr.js';
/** Unicode 14.0 character properties and case maps as Objects/unicodectype.c has them. */
export {
  category, isAlpha, isSpace, isDigit, isNumeric, isDecimal, decimalValue, isUpper, isLower, isTitle, isCased,
  isCaseIgnorable, isPrintable, isXidStart, isXidContinue, getCaseMaps, type CaseMaps,
} from './unicodeTables.js';

/** str(int) with 3.11's digit limit, bin/oct/hex, int(str, base). */
export { intToString, intToBase, intFromString, INT_MAX_STR_DIGITS } from './intText.js';
/** int arithmetic: // % divmod /, pow (incl. modular), shifts, round, bit_length/bit_count, to_bytes/from_bytes. */
export {
  intFloorDivide, intModulo, intDivmod, intTrueDivide, intPow, intLshift, intRshift, intBitLength, intBitCount,
  intRound, intToBytes, intFromBytes,
} from './intArith.js';

/** The format-spec mini-language: parse_internal_render_format_spec and the shared layout. */
export {
  parseFormatSpec, calcPadding, fillNumber, insertThousandsGrouping, unknownPresentationType, type InternalFormatSpec,
} from './formatSpec.js';
/** format(value, spec) for str, int, bool, float, complex; complex repr. */
export { formatStr, formatInt, formatBool, formatFloat, formatComplex, complexRepr } from './formatValue.js';

/** str case mappings (full, Unicode 14.0, final sigma) and the is…() predicates. */
export {
  strUpper, strLower, strCasefold, strSwapcase, strCapitalize, strTitle, strIsAlpha, strIsDecimal, strIsDigit,
  strIsNumeric, strIsAlnum, strIsSpace, strIsAscii, strIsPrintable, strIsIdentifier, strIsUpper, strIsLower, strIsTitle,
} from './strCase.js';
/** str searching with start/end by code point: find, rfind, index, rindex, count, startswith, endswith, replace, in. */
export {
  adjustIndices, strFind, strRfind, strIndex, strRindex, strContains, strCount, strStartswith, strEndswith,
  tailmatchTypeError, strReplace,
} from './strSearch.js';
/** str split, rsplit, splitlines, partition, rpartition, join, strip, lstrip, rstrip. */
export {
  strSplit, strRsplit, strSplitlines, strPartition, strRpartition, strJoin, strStrip, strLstrip, strRstrip,
} from './strSplit.js';
/** str center, ljust, rjust, zfill, expandtabs, removeprefix/removesuffix, repeat, s[i], s[a:b:c], slice adjustment. */
export {
  strCenter, strLjust, strRjust, strZfill, strExpandtabs, strRemoveprefix, strRemovesuffix, strRepeat, strGetItem,
  adjustSlice, strSlice,
} from './strLayout.js';
/** str.encode / bytes.decode for utf-8, ascii, latin-1 with CPython's error handlers and exceptions. */
export { strEncode, bytesDecode, lookupCodec, unicodeEncodeError, unicodeDecodeError, type CodecName } from './codecs.js';

/** repr() of bytes and bytearray. */
export { bytesRepr, bytearrayRepr } from './bytesRepr.js';
/** The value convention (bigint int, number float, Array tuple …) and the ObjectHooks formatters call back into. */
export { pyStr, pyRepr, pyAscii, pyTypeName, isComplex, isPrimitive, primitiveHooks, type ObjectHooks } from './pyValue.js';
/** printf-style formatting: format % args. */
export { percentFormat } from './printf.js';

/** str.format / format_map, with the parser exposed (markupIterator, fieldNameSplit) and render_field. */
export {
  strFormat, strFormatMap, markupIterator, fieldNameSplit, renderField, type FormatField, type MarkupPart, type FieldAccessor,
} from './strFormat.js';

/** bytes/bytearray methods: hex/fromhex, split family, strip, find family, case (ASCII), padding, indexing. */
export {
  toLatin1, fromLatin1, type BytesSub, bytesHex, bytesFromHex, bytesSplit, bytesRsplit, bytesSplitlines, bytesPartition,
  bytesRpartition, bytesJoin, bytesStrip, bytesLstrip, bytesRstrip, bytesFind, bytesRfind, bytesIndex, bytesRindex,
  bytesCount, bytesContains, bytesStartswith, bytesEndswith, bytesReplace, bytesUpper, bytesLower, bytesSwapcase,
  bytesCapitalize, bytesTitle, bytesIsAlpha, bytesIsDigit, bytesIsAlnum, bytesIsSpace, bytesIsAscii, bytesIsLower,
  bytesIsUpper, bytesIsTitle, bytesCenter, bytesLjust, bytesRjust, bytesZfill, bytesExpandtabs, bytesRemoveprefix,
  bytesRemovesuffix, bytesGetItem, bytesSlice,
} from './bytesMethods.js';

/** chr() and ord(). */
export { chr, ord } from './chrOrd.js';

/** Exact int-with-float comparison (float_richcompare). */
export { compareIntFloat, richCompareIntFloat } from './numberCompare.js';
