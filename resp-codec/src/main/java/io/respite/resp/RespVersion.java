package io.respite.resp;

/** The protocol a connection speaks, chosen by {@code HELLO 2} or {@code HELLO 3}; RESP2 until then. */
public enum RespVersion {
    RESP2,
    RESP3
}
