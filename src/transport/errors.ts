/**
 * Typed errors of the BOLT 8 transport. Every failure a peer can cause (a bad handshake act,
 * a bad MAC on a message) is one of these values; nothing else is thrown for peer input.
 * The handshake codes are named after the failure labels of BOLT 8 Appendix A.
 */

/** The failure labels of BOLT 8 Appendix A ("ERROR (ACT2_BAD_TAG)" etc.). */
export type HandshakeErrorCode =
  | 'ACT1_READ_FAILED'
  | 'ACT1_BAD_VERSION'
  | 'ACT1_BAD_PUBKEY'
  | 'ACT1_BAD_TAG'
  | 'ACT2_READ_FAILED'
  | 'ACT2_BAD_VERSION'
  | 'ACT2_BAD_PUBKEY'
  | 'ACT2_BAD_TAG'
  | 'ACT3_READ_FAILED'
  | 'ACT3_BAD_VERSION'
  | 'ACT3_BAD_CIPHERTEXT'
  | 'ACT3_BAD_PUBKEY'
  | 'ACT3_BAD_TAG';

/**
 * HandshakeError: an act received from the peer is not acceptable. BOLT 8 requires the
 * connection to be terminated "without any further messages" in every such case.
 */
export class HandshakeError extends Error {
  override name = 'HandshakeError';
  constructor(
    readonly code: HandshakeErrorCode,
    message?: string,
  ) {
    super(message ? `${code}: ${message}` : code);
  }
}

/** Failure labels of the message phase (after the handshake). */
export type MessageErrorCode = 'BAD_LENGTH_TAG' | 'BAD_MESSAGE_TAG' | 'MESSAGE_TOO_LARGE';

/**
 * MessageError: a frame failed authentication (bad MAC on the length prefix or on the body),
 * or a message to send is over the 65535-byte limit. After a bad MAC the stream is unusable
 * (the receiving nonce can no longer be trusted) and the connection must be closed.
 */
export class MessageError extends Error {
  override name = 'MessageError';
  constructor(
    readonly code: MessageErrorCode,
    message?: string,
  ) {
    super(message ? `${code}: ${message}` : code);
  }
}
