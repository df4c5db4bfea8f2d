import { describe, expect, it } from "vitest";
import { OrderIdBook } from "./order-id-book.js";

describe("OrderIdBook", () => {
  it("starts every client id at the first order id", () => {
    const book = new OrderIdBook(1000);
    expect(book.nextValidId(1)).toBe(1000);
    expect(book.nextValidId(2)).toBe(1000);
  });

  it("moves a client's next id past the ids it used, never backwards", () => {
    const book = new OrderIdBook(1);
    book.markUsed(1, 10);
    book.markUsed(1, 4);
    expect(book.nextValidId(1)).toBe(11);
    expect(book.nextValidId(2)).toBe(1);
  });
});
