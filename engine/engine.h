/*
 * engine.h — in-tree additions to include/sluice.h for the server and the REPL, which
 * run beside an engine in one process and share its store (the public API stays free of
 * the store's types).
 */
#ifndef SLUICE_ENGINE_H
#define SLUICE_ENGINE_H

#include "sluice.h"
#include "stream/stream.h"

/* The stream store the engine opened on its data directory (borrowed: valid until
 * sluice_close). The server serves it with server_config.store. */
stream_store *sluice_engine_store(sluice_engine *e);

#endif /* SLUICE_ENGINE_H */
