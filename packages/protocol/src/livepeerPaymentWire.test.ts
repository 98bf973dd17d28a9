import { BinaryReader, BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { InvalidPaymentError } from '@peerframe/wire';
import { bytesToHex, hexToBytes, keccak256 } from 'viem';
import { describe, expect, it } from 'vitest';
import {
  bigIntBytes,
  decodeLivepeerPayment,
  decodeLivepeerPaymentResult,
  encodeLivepeerPayment,
  encodeLivepeerPaymentResult,
  isSameLivepeerPrice,
  livepeerPriceOf,
} from './livepeerPaymentWire.ts';
import { encodeAuxData } from './ticket.ts';
import type { TicketParams } from './ticketParams.ts';
import type { SignedTicket } from './validateTicket.ts';

const recipient = '0x1111111111111111111111111111111111111111';
const sender = '0xAb5801a7D398351b8bE11C439e05C5B3259aeC9B';
const blockHash = keccak256('0x03');
// A seed whose first byte is 0: go's big.Int.Bytes() sends it as 31 bytes.
const shortSeed = `0x00${keccak256('0x02').slice(4)}` as const;

const params: TicketParams = {
  recipient,
  faceValue: 1_200_000_000_000_000n,
  winProb: 2n ** 255n + 12_345n,
  recipientRandHash: keccak256('0x01'),
  seed: shortSeed,
  expirationBlock: 5_000n,
  expirationParams: { creationRound: 7n, creationRoundBlockHash: blockHash },
};

function ticketOf(senderNonce: bigint): SignedTicket {
  return {
    ticket: {
      recipient,
      sender,
      faceValue: params.faceValue,
      winProb: params.winProb,
      senderNonce,
      recipientRandHash: params.recipientRandHash,
      auxData: encodeAuxData(7n, blockHash),
    },
    signature: `0x${'ab'.repeat(64)}1b`,
    seed: params.seed,
    expirationBlock: params.expirationBlock,
  };
}

type Field = { no: number; wireType: WireType; value: bigint | Uint8Array };

/** Every field of a message as the wire has it, no schema involved. */
function fieldsOf(bytes: Uint8Array): Field[] {
  const reader = new BinaryReader(bytes);
  const fields: Field[] = [];
  while (reader.pos < reader.len) {
    const [no, wireType] = reader.tag();
    if (wireType === WireType.Varint)
      fields.push({ no, wireType, value: reader.uint64() as bigint });
    else if (wireType === WireType.LengthDelimited)
      fields.push({ no, wireType, value: reader.bytes() });
    else throw new Error(`unexpected wire type ${wireType} for field ${no}`);
  }
  return fields;
}

function field(fields: Field[], no: number, wireType: WireType): Field['value'] {
  const found = fields.filter((f) => f.no === no);
  expect(found, `field ${no}`).toHaveLength(1);
  expect(found[0]?.wireType, `wire type of field ${no}`).toBe(wireType);
  return found[0]?.value as Field['value'];
}
const bytesField = (fields: Field[], no: number) =>
  field(fields, no, WireType.LengthDelimited) as Uint8Array;
const varintField = (fields: Field[], no: number) => field(fields, no, WireType.Varint) as bigint;

describe("Livepeer's payment wire (net/lp_rpc.proto)", () => {
  it("writes a Payment with go-livepeer's field numbers and types, big integers as big.Int.Bytes()", () => {
    const price = livepeerPriceOf(100_000_000_000n);
    const encoded = encodeLivepeerPayment({
      sender,
      params,
      expectedPrice: price,
      tickets: [ticketOf(3n), ticketOf(1n)],
    });
    const payment = fieldsOf(Buffer.from(encoded, 'base64'));
    expect(payment.map((f) => f.no)).toEqual([1, 2, 3, 4, 4, 5]);

    const tp = fieldsOf(bytesField(payment, 1));
    expect(bytesToHex(bytesField(tp, 1))).toBe(recipient);
    expect(bytesToHex(bytesField(tp, 2))).toBe(bytesToHex(bigIntBytes(params.faceValue)));
    expect(BigInt(bytesToHex(bytesField(tp, 3)))).toBe(params.winProb);
    expect(bytesToHex(bytesField(tp, 4))).toBe(params.recipientRandHash);
    // The seed's leading zero byte is dropped, as go's big.Int.Bytes() drops it.
    expect(bytesField(tp, 5)).toHaveLength(31);
    expect(bytesToHex(bytesField(tp, 5))).toBe(`0x${shortSeed.slice(4)}`);
    expect(bytesToHex(bytesField(tp, 6))).toBe('0x1388');
    const tpExpiration = fieldsOf(bytesField(tp, 7));
    expect(varintField(tpExpiration, 1)).toBe(7n);
    expect(bytesToHex(bytesField(tpExpiration, 2))).toBe(blockHash);

    expect(bytesToHex(bytesField(payment, 2))).toBe(sender.toLowerCase());
    const expiration = fieldsOf(bytesField(payment, 3));
    expect(varintField(expiration, 1)).toBe(7n);
    expect(bytesToHex(bytesField(expiration, 2))).toBe(blockHash);

    const tickets = payment.filter((f) => f.no === 4).map((f) => fieldsOf(f.value as Uint8Array));
    expect(tickets.map((t) => varintField(t, 1))).toEqual([3n, 1n]);
    expect(tickets.map((t) => bytesField(t, 2).length)).toEqual([65, 65]);

    const expected = fieldsOf(bytesField(payment, 5));
    expect(varintField(expected, 1)).toBe(100_000_000_000n);
    expect(varintField(expected, 2)).toBe(1280n * 720n * 30n);
  });

  it('reads a Payment written field by field, as go-livepeer writes it, short seed included', () => {
    const writer = new BinaryWriter();
    writer
      .tag(1, WireType.LengthDelimited)
      .fork()
      .tag(1, WireType.LengthDelimited)
      .bytes(hexToBytes(recipient))
      .tag(2, WireType.LengthDelimited)
      .bytes(bigIntBytes(params.faceValue))
      .tag(3, WireType.LengthDelimited)
      .bytes(bigIntBytes(params.winProb))
      .tag(4, WireType.LengthDelimited)
      .bytes(hexToBytes(params.recipientRandHash))
      .tag(5, WireType.LengthDelimited)
      .bytes(bigIntBytes(BigInt(shortSeed)))
      .tag(6, WireType.LengthDelimited)
      .bytes(bigIntBytes(params.expirationBlock))
      .join()
      .tag(2, WireType.LengthDelimited)
      .bytes(hexToBytes(sender))
      .tag(3, WireType.LengthDelimited)
      .fork()
      .tag(1, WireType.Varint)
      .int64(7n)
      .tag(2, WireType.LengthDelimited)
      .bytes(hexToBytes(blockHash))
      .join();
    for (const nonce of [9, 2]) {
      writer
        .tag(4, WireType.LengthDelimited)
        .fork()
        .tag(1, WireType.Varint)
        .uint32(nonce)
        .tag(2, WireType.LengthDelimited)
        .bytes(hexToBytes(ticketOf(0n).signature))
        .join();
    }
    writer
      .tag(5, WireType.LengthDelimited)
      .fork()
      .tag(1, WireType.Varint)
      .int64(500n)
      .tag(2, WireType.Varint)
      .int64(3n)
      .join();
    const decoded = decodeLivepeerPayment(Buffer.from(writer.finish()).toString('base64'));
    expect(decoded.sender).toBe(sender);
    expect(decoded.params).toEqual(params);
    expect(decoded.params.seed).toBe(shortSeed);
    expect(decoded.expectedPrice).toEqual({ pricePerUnit: 500n, pixelsPerUnit: 3n });
    expect(decoded.tickets).toEqual([ticketOf(9n), ticketOf(2n)]);
  });

  it('round-trips a PaymentResult: OrchestratorInfo at field 16, params and price inside', () => {
    const price = livepeerPriceOf(7n, 3n);
    const bytes = encodeLivepeerPaymentResult({
      transcoder: 'https://127.0.0.1:8935',
      address: recipient,
      params,
      price,
    });
    const result = fieldsOf(bytes);
    expect(result.map((f) => f.no)).toEqual([16]);
    const info = fieldsOf(bytesField(result, 16));
    expect(Buffer.from(bytesField(info, 1)).toString()).toBe('https://127.0.0.1:8935');
    expect(bytesToHex(bytesField(fieldsOf(bytesField(info, 2)), 4))).toBe(params.recipientRandHash);
    expect(varintField(fieldsOf(bytesField(info, 3)), 1)).toBe(7n);
    expect(bytesToHex(bytesField(info, 4))).toBe(recipient);
    expect(decodeLivepeerPaymentResult(bytes)).toEqual({
      transcoder: 'https://127.0.0.1:8935',
      address: '0x1111111111111111111111111111111111111111',
      params,
      price,
    });
  });

  it('reads a PaymentResult written field by field, as go-livepeer writes it', () => {
    const writer = new BinaryWriter();
    writer
      .tag(16, WireType.LengthDelimited)
      .fork()
      .tag(1, WireType.LengthDelimited)
      .string('https://orchestrator.example:8935')
      .tag(2, WireType.LengthDelimited)
      .fork()
      .tag(1, WireType.LengthDelimited)
      .bytes(hexToBytes(recipient))
      .tag(2, WireType.LengthDelimited)
      .bytes(bigIntBytes(params.faceValue))
      .tag(3, WireType.LengthDelimited)
      .bytes(bigIntBytes(params.winProb))
      .tag(4, WireType.LengthDelimited)
      .bytes(hexToBytes(params.recipientRandHash))
      .tag(5, WireType.LengthDelimited)
      .bytes(bigIntBytes(BigInt(shortSeed)))
      .tag(6, WireType.LengthDelimited)
      .bytes(bigIntBytes(params.expirationBlock))
      .tag(7, WireType.LengthDelimited)
      .fork()
      .tag(1, WireType.Varint)
      .int64(7n)
      .tag(2, WireType.LengthDelimited)
      .bytes(hexToBytes(blockHash))
      .join()
      .join()
      .tag(3, WireType.LengthDelimited)
      .fork()
      .tag(1, WireType.Varint)
      .int64(1_200n)
      .tag(2, WireType.Varint)
      .int64(1n)
      .join()
      .tag(4, WireType.LengthDelimited)
      .bytes(hexToBytes(recipient))
      .join();
    expect(decodeLivepeerPaymentResult(writer.finish())).toEqual({
      transcoder: 'https://orchestrator.example:8935',
      address: recipient,
      params,
      price: { pricePerUnit: 1_200n, pixelsPerUnit: 1n },
    });
  });

  it('names the wrong field of a bad payment', () => {
    expect(() => decodeLivepeerPayment('not base64!')).toThrow(/base64/);
    const noSender = encodeLivepeerPayment({
      sender,
      params,
      expectedPrice: livepeerPriceOf(1n),
      tickets: [ticketOf(1n)],
    });
    const fields = fieldsOf(Buffer.from(noSender, 'base64')).filter((f) => f.no !== 2);
    const writer = new BinaryWriter();
    for (const f of fields) {
      if (f.wireType === WireType.LengthDelimited)
        writer.tag(f.no, f.wireType).bytes(f.value as Uint8Array);
    }
    const error = (() => {
      try {
        decodeLivepeerPayment(Buffer.from(writer.finish()).toString('base64'));
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(InvalidPaymentError);
    expect((error as InvalidPaymentError).field).toBe('payment.sender');
  });

  it('compares prices as go compares big.Rat: 6/4 equals 3/2', () => {
    expect(
      isSameLivepeerPrice(
        { pricePerUnit: 6n, pixelsPerUnit: 4n },
        { pricePerUnit: 3n, pixelsPerUnit: 2n },
      ),
    ).toBe(true);
    expect(
      isSameLivepeerPrice(
        { pricePerUnit: 6n, pixelsPerUnit: 4n },
        { pricePerUnit: 3n, pixelsPerUnit: 1n },
      ),
    ).toBe(false);
    expect(bigIntBytes(0n)).toHaveLength(0);
    expect(bytesToHex(bigIntBytes(256n))).toBe('0x0100');
  });
});
