/**
 * Parses CSV date/time fields straight from bytes into UTC epoch milliseconds, with a per-day cache of
 * the day's start and New York offset so that consecutive rows of one day cost only digit parsing.
 */
import { DAY_MS, daysFromCivil, daysInMonth } from "./civil-calendar.js";
import { isFieldPaddingByte } from "./ascii-number.js";
import { newYorkLocalToUtcMs, newYorkOffsetMs } from "./new-york-time.js";

/** Time zones in which naive (offset-less) date-times can be interpreted. */
export type NaiveTimeZone = "UTC" | "America/New_York";

/** Every supported naive time zone. */
export const NAIVE_TIME_ZONES: readonly NaiveTimeZone[] = ["UTC", "America/New_York"];

const HOUR_MS = 3_600_000;
const ZERO = 0x30;
const DASH = 0x2d;
const COLON = 0x3a;
const DOT = 0x2e;
const PLUS = 0x2b;
const SPACE = 0x20;
const UPPER_T = 0x54;
const LOWER_T = 0x74;
const UPPER_Z = 0x5a;
const LOWER_Z = 0x7a;

/** Value of the decimal digit at `bytes[at]`, or −1 when it is not a digit. */
function digitAt(bytes: Uint8Array, at: number): number {
  const digit = (bytes[at] ?? 0) - ZERO;
  return digit >= 0 && digit <= 9 ? digit : -1;
}

/** Value of the two decimal digits at `bytes[at]`, or −1 when either is not a digit. */
function twoDigitsAt(bytes: Uint8Array, at: number): number {
  const tens = digitAt(bytes, at);
  const ones = digitAt(bytes, at + 1);
  return tens < 0 || ones < 0 ? -1 : tens * 10 + ones;
}

/**
 * A reusable, stateful parser of one time zone's timestamps. Accepted date fields: `YYYY-MM-DD`,
 * `YYYYMMDD`, `YYYY-MM-DD[T ]HH:MM[:SS[.fff]]` optionally followed by `Z` or an offset (`±HH[:MM]`,
 * `±HHMM`), and epoch seconds (10 digits) or milliseconds (13 digits). A separate time field
 * `HH:MM[:SS[.fff]]` combines with a date-only field. Naive date-times are read in the parser's zone.
 */
export class AsciiTimestampParser {
  /** Whether the last successfully parsed timestamp had a time of day (or was an epoch number). */
  hadTimeOfDay = false;

  private readonly newYork: boolean;
  private dayKey = -1;
  private dayStartMs = 0;
  /** The New York offset of the cached day, or NaN when a DST transition happens on it. */
  private dayOffsetMs = 0;
  private year = 0;
  private month = 0;
  private day = 0;
  private hour = 0;
  private minute = 0;
  private second = 0;
  private millisecond = 0;

  /** Creates a parser reading naive date-times in `timeZone`. */
  constructor(timeZone: NaiveTimeZone) {
    this.newYork = timeZone === "America/New_York";
  }

  /**
   * Parses the date field `bytes[dateStart, dateEnd)` and, when `timeStart >= 0`, the time field
   * `bytes[timeStart, timeEnd)`, returning UTC epoch milliseconds or NaN when the text is not valid.
   */
  parse(bytes: Uint8Array, dateStart: number, dateEnd: number, timeStart: number, timeEnd: number): number {
    let start = dateStart;
    let end = dateEnd;
    while (start < end && isFieldPaddingByte(bytes[start] ?? 0)) start++;
    while (end > start && isFieldPaddingByte(bytes[end - 1] ?? 0)) end--;
    const length = end - start;
    let position: number;
    if (length >= 10 && bytes[start + 4] === DASH && bytes[start + 7] === DASH) {
      const century = twoDigitsAt(bytes, start);
      const yearInCentury = twoDigitsAt(bytes, start + 2);
      this.month = twoDigitsAt(bytes, start + 5);
      this.day = twoDigitsAt(bytes, start + 8);
      if (century < 0 || yearInCentury < 0) return Number.NaN;
      this.year = century * 100 + yearInCentury;
      position = start + 10;
    } else {
      let value = 0;
      for (let i = start; i < end; i++) {
        const digit = digitAt(bytes, i);
        if (digit < 0) return Number.NaN;
        value = value * 10 + digit;
      }
      if (length === 10 || length === 13) {
        if (timeStart >= 0) return Number.NaN;
        this.hadTimeOfDay = true;
        return length === 10 ? value * 1000 : value;
      }
      if (length !== 8) return Number.NaN;
      this.year = Math.floor(value / 10_000);
      this.month = Math.floor(value / 100) % 100;
      this.day = value % 100;
      position = end;
    }
    if (!this.loadDay()) return Number.NaN;

    let offsetMs = Number.NaN;
    if (position < end) {
      if (timeStart >= 0) return Number.NaN;
      const separator = bytes[position];
      if (separator !== UPPER_T && separator !== LOWER_T && separator !== SPACE) return Number.NaN;
      position = this.parseTimeOfDay(bytes, position + 1, end);
      if (position < 0) return Number.NaN;
      if (position < end) {
        offsetMs = parseOffset(bytes, position, end);
        if (Number.isNaN(offsetMs)) return Number.NaN;
      }
      this.hadTimeOfDay = true;
    } else if (timeStart >= 0) {
      let timeEndTrimmed = timeEnd;
      let timeStartTrimmed = timeStart;
      while (timeStartTrimmed < timeEndTrimmed && isFieldPaddingByte(bytes[timeStartTrimmed] ?? 0)) {
        timeStartTrimmed++;
      }
      while (timeEndTrimmed > timeStartTrimmed && isFieldPaddingByte(bytes[timeEndTrimmed - 1] ?? 0)) {
        timeEndTrimmed--;
      }
      if (this.parseTimeOfDay(bytes, timeStartTrimmed, timeEndTrimmed) !== timeEndTrimmed) return Number.NaN;
      this.hadTimeOfDay = true;
    } else {
      this.hour = 0;
      this.minute = 0;
      this.second = 0;
      this.millisecond = 0;
      this.hadTimeOfDay = false;
    }

    const timeOfDayMs = this.hour * HOUR_MS + this.minute * 60_000 + this.second * 1000 + this.millisecond;
    if (!Number.isNaN(offsetMs)) return this.dayStartMs + timeOfDayMs - offsetMs;
    if (!this.newYork) return this.dayStartMs + timeOfDayMs;
    if (!Number.isNaN(this.dayOffsetMs)) return this.dayStartMs + timeOfDayMs - this.dayOffsetMs;
    return (
      newYorkLocalToUtcMs(this.year, this.month, this.day, this.hour, this.minute, this.second) +
      this.millisecond
    );
  }

  /** Validates year/month/day and loads the day's cached start (and New York offset); false if invalid. */
  private loadDay(): boolean {
    const { year, month, day } = this;
    const key = year * 10_000 + month * 100 + day;
    if (key === this.dayKey) return true;
    if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return false;
    this.dayKey = key;
    this.dayStartMs = daysFromCivil(year, month, day) * DAY_MS;
    if (this.newYork) {
      // Offsets at local ~00:00 and ~23:00 bracket the 02:00 transition: equal means constant all day.
      const early = newYorkOffsetMs(this.dayStartMs + 5 * HOUR_MS);
      const late = newYorkOffsetMs(this.dayStartMs + 27 * HOUR_MS);
      this.dayOffsetMs = early === late ? early : Number.NaN;
    }
    return true;
  }

  /** Parses `H[H]:MM[:SS[.fff…]]` at `position`, storing the fields; returns the end position or −1. */
  private parseTimeOfDay(bytes: Uint8Array, position: number, end: number): number {
    let hour = digitAt(bytes, position);
    if (hour < 0) return -1;
    position++;
    const secondHourDigit = digitAt(bytes, position);
    if (secondHourDigit >= 0) {
      hour = hour * 10 + secondHourDigit;
      position++;
    }
    if (position + 3 > end || bytes[position] !== COLON) return -1;
    const minute = twoDigitsAt(bytes, position + 1);
    position += 3;
    let second = 0;
    let millisecond = 0;
    if (position < end && bytes[position] === COLON) {
      if (position + 3 > end) return -1;
      second = twoDigitsAt(bytes, position + 1);
      position += 3;
      if (position < end && bytes[position] === DOT) {
        position++;
        let scale = 100;
        const fractionStart = position;
        for (; position < end; position++) {
          const digit = digitAt(bytes, position);
          if (digit < 0) break;
          millisecond += digit * scale;
          scale /= 10;
        }
        if (position === fractionStart) return -1;
        millisecond = Math.floor(millisecond);
      }
    }
    if (hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return -1;
    this.hour = hour;
    this.minute = minute;
    this.second = second;
    this.millisecond = millisecond;
    return position;
  }
}

/** Parses `Z` or `±HH[:MM]` / `±HHMM` filling exactly `bytes[position, end)`; returns the offset (local − UTC) in ms or NaN. */
function parseOffset(bytes: Uint8Array, position: number, end: number): number {
  const sign = bytes[position];
  if (sign === UPPER_Z || sign === LOWER_Z) return position + 1 === end ? 0 : Number.NaN;
  if (sign !== PLUS && sign !== DASH) return Number.NaN;
  const hours = twoDigitsAt(bytes, position + 1);
  let minutes = 0;
  const rest = end - (position + 3);
  if (rest === 3 && bytes[position + 3] === COLON) minutes = twoDigitsAt(bytes, position + 4);
  else if (rest === 2) minutes = twoDigitsAt(bytes, position + 3);
  else if (rest !== 0) return Number.NaN;
  if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59) return Number.NaN;
  const offsetMs = hours * HOUR_MS + minutes * 60_000;
  return sign === PLUS ? offsetMs : -offsetMs;
}
