import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvariantError } from "../../core/errors.js";
import { FieldReader } from "./field-reader.js";
import { FrameReader } from "./frame-reader.js";
import {
  encodeHistoricalData,
  encodeHistoricalDataUpdate,
  encodeMarketDataType,
  encodeRealTimeBar,
  encodeTickPrice,
  encodeTickRequestParameters,
  encodeTickSize,
  encodeTickSnapshotEnd,
  encodeTickString,
  type DatedWireBar,
  type HistoricalDataMessage,
  type TickPriceMessage,
  type WireBar,
} from "./market-data-messages.js";
import { IncomingMessageId } from "./message-ids.js";
import { INT32_MAX } from "./unset-values.js";

const FAST_CHECK = { seed: 42, numRuns: 200 } as const;
const VERSIONS = [176, 193] as const;

/** The fields of the one message in `frame`. */
function fieldsOf(frame: Buffer): readonly string[] {
  const frames = new FrameReader({ expectHello: false }).push(frame);
  const [only] = frames;
  if (frames.length !== 1 || only?.kind !== "message") throw new Error("expected exactly one message");
  return only.fields;
}

/** A reader over the message, its message id already checked. */
function readerOf(frame: Buffer, messageId: number): FieldReader {
  const reader = new FieldReader(fieldsOf(frame));
  expect(reader.readInt()).toBe(messageId);
  return reader;
}

function readNumberDecimal(reader: FieldReader): number {
  return Number(reader.readDecimal());
}

const serverVersion = fc.constantFrom(...VERSIONS);
const reqId = fc.integer({ min: 0, max: INT32_MAX });
const finiteDouble = fc.double({ noNaN: true, noDefaultInfinity: true });
/** Sizes, volumes and WAPs are Decimals on the wire, which have no negative zero. */
const finiteDecimal = finiteDouble.map((value) => (value === 0 ? 0 : value));
const wireText = fc.string({
  unit: fc.integer({ min: 1, max: 0x7f }).map((code) => String.fromCharCode(code)),
  maxLength: 30,
});
const wireBar: fc.Arbitrary<WireBar> = fc.record({
  open: finiteDouble,
  high: finiteDouble,
  low: finiteDouble,
  close: finiteDouble,
  volume: finiteDecimal,
  wap: finiteDecimal,
  count: fc.integer({ min: -1, max: INT32_MAX }),
});
const datedBar: fc.Arbitrary<DatedWireBar> = fc
  .tuple(wireBar, wireText)
  .map(([bar, date]) => ({ ...bar, date }));

function readWireBarInUpdateOrder(reader: FieldReader): Omit<DatedWireBar, "count"> {
  const date = reader.readString();
  const open = reader.readDouble();
  const close = reader.readDouble();
  const high = reader.readDouble();
  const low = reader.readDouble();
  const wap = readNumberDecimal(reader);
  const volume = readNumberDecimal(reader);
  return { date, open, high, low, close, volume, wap };
}

describe("market data encoders round-trip through FieldReader (seed 42)", () => {
  it("TICK_PRICE [1, 6, tickerId, tickType, price, size, attrMask]", () => {
    const tick: fc.Arbitrary<TickPriceMessage> = fc.record({
      reqId,
      tickType: fc.integer({ min: 0, max: 100 }),
      price: finiteDouble,
      size: finiteDecimal,
      attributeMask: fc.integer({ min: 0, max: 7 }),
    });
    fc.assert(
      fc.property(serverVersion, tick, (version, message) => {
        const reader = readerOf(encodeTickPrice(version, message), IncomingMessageId.TICK_PRICE);
        expect(reader.readInt()).toBe(6);
        expect({
          reqId: reader.readInt(),
          tickType: reader.readInt(),
          price: reader.readDouble(),
          size: readNumberDecimal(reader),
          attributeMask: reader.readInt(),
        }).toEqual(message);
        expect(reader.remaining).toBe(0);
      }),
      FAST_CHECK,
    );
  });

  it("TICK_SIZE [2, 6, tickerId, tickType, size]", () => {
    fc.assert(
      fc.property(
        serverVersion,
        reqId,
        fc.integer({ min: 0, max: 100 }),
        finiteDecimal,
        (version, id, type, size) => {
          const reader = readerOf(
            encodeTickSize(version, { reqId: id, tickType: type, size }),
            IncomingMessageId.TICK_SIZE,
          );
          expect([reader.readInt(), reader.readInt(), reader.readInt(), readNumberDecimal(reader)]).toEqual([
            6,
            id,
            type,
            size,
          ]);
          expect(reader.remaining).toBe(0);
        },
      ),
      FAST_CHECK,
    );
  });

  it("TICK_STRING [46, 6, tickerId, tickType, value]", () => {
    fc.assert(
      fc.property(
        serverVersion,
        reqId,
        fc.integer({ min: 0, max: 100 }),
        wireText,
        (version, id, type, value) => {
          const reader = readerOf(
            encodeTickString(version, { reqId: id, tickType: type, value }),
            IncomingMessageId.TICK_STRING,
          );
          expect([reader.readInt(), reader.readInt(), reader.readInt(), reader.readString()]).toEqual([
            6,
            id,
            type,
            value,
          ]);
          expect(reader.remaining).toBe(0);
        },
      ),
      FAST_CHECK,
    );
  });

  it("TICK_REQ_PARAMS [81, tickerId, minTick, bboExchange, snapshotPermissions] without a version", () => {
    fc.assert(
      fc.property(
        serverVersion,
        reqId,
        finiteDouble,
        wireText,
        fc.integer({ min: 0, max: 15 }),
        (version, id, minTick, bbo, permissions) => {
          const reader = readerOf(
            encodeTickRequestParameters(version, {
              reqId: id,
              minTick,
              bboExchange: bbo,
              snapshotPermissions: permissions,
            }),
            IncomingMessageId.TICK_REQ_PARAMS,
          );
          expect([reader.readInt(), reader.readDouble(), reader.readString(), reader.readInt()]).toEqual([
            id,
            minTick,
            bbo,
            permissions,
          ]);
          expect(reader.remaining).toBe(0);
        },
      ),
      FAST_CHECK,
    );
  });

  it("MARKET_DATA_TYPE [58, 1, reqId, type] and TICK_SNAPSHOT_END [57, 1, reqId]", () => {
    fc.assert(
      fc.property(serverVersion, reqId, fc.integer({ min: 1, max: 4 }), (version, id, type) => {
        const typeReader = readerOf(
          encodeMarketDataType(version, id, type),
          IncomingMessageId.MARKET_DATA_TYPE,
        );
        expect([
          typeReader.readInt(),
          typeReader.readInt(),
          typeReader.readInt(),
          typeReader.remaining,
        ]).toEqual([1, id, type, 0]);
        const endReader = readerOf(encodeTickSnapshotEnd(version, id), IncomingMessageId.TICK_SNAPSHOT_END);
        expect([endReader.readInt(), endReader.readInt(), endReader.remaining]).toEqual([1, id, 0]);
      }),
      FAST_CHECK,
    );
  });

  it("REAL_TIME_BARS [50, 3, reqId, time, open, high, low, close, volume, wap, count]", () => {
    fc.assert(
      fc.property(
        serverVersion,
        reqId,
        fc.integer({ min: 0, max: 4_102_444_800 }),
        wireBar,
        (version, id, time, bar) => {
          const reader = readerOf(
            encodeRealTimeBar(version, id, time, bar),
            IncomingMessageId.REAL_TIME_BARS,
          );
          expect([reader.readInt(), reader.readInt(), reader.readLong()]).toEqual([3, id, time]);
          expect({
            open: reader.readDouble(),
            high: reader.readDouble(),
            low: reader.readDouble(),
            close: reader.readDouble(),
            volume: readNumberDecimal(reader),
            wap: readNumberDecimal(reader),
            count: reader.readInt(),
          }).toEqual(bar);
          expect(reader.remaining).toBe(0);
        },
      ),
      FAST_CHECK,
    );
  });

  it("HISTORICAL_DATA [17, reqId, start, end, itemCount, bars…] without a version field", () => {
    const message: fc.Arbitrary<HistoricalDataMessage> = fc.record({
      reqId,
      startDate: wireText,
      endDate: wireText,
      bars: fc.array(datedBar, { maxLength: 20 }),
    });
    fc.assert(
      fc.property(serverVersion, message, (version, data) => {
        const reader = readerOf(encodeHistoricalData(version, data), IncomingMessageId.HISTORICAL_DATA);
        const decoded = {
          reqId: reader.readInt(),
          startDate: reader.readString(),
          endDate: reader.readString(),
        };
        const count = reader.readInt();
        const bars: DatedWireBar[] = [];
        for (let i = 0; i < count; i++) {
          bars.push({
            date: reader.readString(),
            open: reader.readDouble(),
            high: reader.readDouble(),
            low: reader.readDouble(),
            close: reader.readDouble(),
            volume: readNumberDecimal(reader),
            wap: readNumberDecimal(reader),
            count: reader.readInt(),
          });
        }
        expect({ ...decoded, bars }).toEqual(data);
        expect(reader.remaining).toBe(0);
      }),
      FAST_CHECK,
    );
  });

  it("HISTORICAL_DATA_UPDATE [90, reqId, barCount, date, open, close, high, low, wap, volume]", () => {
    fc.assert(
      fc.property(serverVersion, reqId, datedBar, (version, id, bar) => {
        const reader = readerOf(
          encodeHistoricalDataUpdate(version, id, bar),
          IncomingMessageId.HISTORICAL_DATA_UPDATE,
        );
        expect(reader.readInt()).toBe(id);
        const count = reader.readInt();
        expect({ ...readWireBarInUpdateOrder(reader), count }).toEqual(bar);
        expect(reader.remaining).toBe(0);
      }),
      FAST_CHECK,
    );
  });
});

describe("market data encoders, exact fields", () => {
  it("writes TICK_REQ_PARAMS like the real example 81|9000|0.01|9c0001|3", () => {
    const frame = encodeTickRequestParameters(193, {
      reqId: 9000,
      minTick: 0.01,
      bboExchange: "9c0001",
      snapshotPermissions: 3,
    });
    expect(fieldsOf(frame)).toEqual(["81", "9000", "0.01", "9c0001", "3"]);
  });

  it("writes a MIDPOINT bar's volume, WAP and count as -1, like the real ib_async#140 example", () => {
    const frame = encodeHistoricalData(176, {
      reqId: 1,
      startDate: "20250405 17:56:00 US/Eastern",
      endDate: "20250413 17:56:00 US/Eastern",
      bars: [
        {
          date: "20250402",
          open: 99.77543,
          high: 99.78,
          low: 99.77,
          close: 99.78,
          volume: -1,
          wap: -1,
          count: -1,
        },
      ],
    });
    expect(fieldsOf(frame)).toEqual([
      "17",
      "1",
      "20250405 17:56:00 US/Eastern",
      "20250413 17:56:00 US/Eastern",
      "1",
      "20250402",
      "99.77543",
      "99.78",
      "99.77",
      "99.78",
      "-1",
      "-1",
      "-1",
    ]);
  });

  it("writes prices as Java doubles and sizes as plain decimals", () => {
    const frame = encodeTickPrice(176, { reqId: 4, tickType: 1, price: 243, size: 300, attributeMask: 1 });
    expect(fieldsOf(frame)).toEqual(["1", "6", "4", "1", "243.0", "300", "1"]);
  });

  it.each([175, 194, 176.5])("refuses server version %s", (version) => {
    expect(() => encodeTickSnapshotEnd(version, 1)).toThrow(InvariantError);
  });

  it("refuses a size that is not finite", () => {
    expect(() => encodeTickSize(176, { reqId: 1, tickType: 0, size: Number.NaN })).toThrow(InvariantError);
  });
});
