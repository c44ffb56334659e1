/*
 * slt.h — the SQL logic test runner behind `sluice test FILE.slt ...`.
 *
 * Purpose: runs files in the sqllogictest format extended for sluice
 * (README.md in this folder is the format's reference): records of
 * `statement ok|error`, `query <types> [nosort|rowsort]`, `halt`, comments,
 * and the streaming directives (put, clock, read, wait, restart). Each file runs on a
 * fresh engine (include/sluice.h) in a fresh temporary data directory that is
 * removed afterwards. The runner uses nothing but the public API: it proves
 * that an embedder can drive the engine.
 *
 * Ownership: everything is allocated and freed within one call.
 * Threads: one call at a time per process (output goes to stdout/stderr).
 * Errors: the exit status of the subcommand (0 all passed, 1 a failure,
 * 2 bad usage or an unreadable file); every failure is printed with file:line.
 */
#ifndef SLUICE_SLT_H
#define SLUICE_SLT_H

/*
 * `sluice test [--roundtrip] [--strict] FILE.slt ...` with argv[0] = "test".
 * Prints each failure (file:line, the SQL, expected and got), then the last
 * line `N passed, N failed`. Returns the exit status.
 */
int slt_main(int argc, char **argv);

#endif /* SLUICE_SLT_H */
