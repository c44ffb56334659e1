/*
 * sluice.h — the public C API of sluice, a streaming SQL engine for the
 * Kinesis Data Analytics SQL dialect over an embedded Kinesis-compatible store.
 *
 * This is the only installed header. Everything an embedder needs is declared
 * here: opaque handles, sluice_ names, and the result codes below, which every
 * module of the engine also uses as its return convention (an int rc, with
 * details in an error object).
 *
 * The embedding API (open an engine on a data directory, execute SQL, put
 * records, read a stream, close) is added here as the engine module lands; until
 * then this header holds the result codes.
 */
#ifndef SLUICE_H
#define SLUICE_H

#ifdef __cplusplus
extern "C" {
#endif

#define SLUICE_VERSION "0.1.0"

/* Result codes. Zero is success; every failure is a positive code. */
#define SLUICE_OK 0
#define SLUICE_ERROR 1        /* generic failure, see the error object */
#define SLUICE_NOMEM 2        /* out of memory */
#define SLUICE_INVALID 3      /* an argument violates a documented rule */
#define SLUICE_NOTFOUND 4     /* a named object does not exist */
#define SLUICE_EXISTS 5       /* an object with that name already exists */
#define SLUICE_STATE 6        /* the object is not in a state that allows this */
#define SLUICE_IO 7           /* the operating system refused a file operation */
#define SLUICE_CORRUPT 8      /* stored data failed its checksum or framing */
#define SLUICE_SYNTAX 9       /* SQL that does not parse */
#define SLUICE_SEMANTIC 10    /* SQL that parses but does not bind or validate */
#define SLUICE_UNSUPPORTED 11 /* valid elsewhere, not in the KDA dialect */
#define SLUICE_LIMIT 12       /* a quota or size limit was reached */
#define SLUICE_EXPIRED 13     /* an iterator or token outlived its validity */
#define SLUICE_TIMEOUT 14     /* a wait ended without the event */
#define SLUICE_RUNTIME 15     /* an expression failed while running */
#define SLUICE_INTERNAL 16    /* a broken invariant: a bug in sluice */
#define SLUICE_END 17         /* not an error: nothing more to read */

/* A short constant English name for a result code ("invalid argument"). */
const char *sluice_errstr(int rc);

#ifdef __cplusplus
}
#endif
#endif /* SLUICE_H */
