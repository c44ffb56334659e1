/*
 * repl.h — the subcommands of the `sluice` binary that live in repl/ (main.c dispatches).
 */
#ifndef SLUICE_REPL_H
#define SLUICE_REPL_H

/* `sluice run APP.sql ...` with argv[0] = "run"; returns the exit status. */
int repl_run_main(int argc, char **argv);

#endif /* SLUICE_REPL_H */
