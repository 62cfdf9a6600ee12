/*
 * Backup and restore of a SQLite kam database with SQLite's online backup API: a consistent
 * copy while servers keep writing, and a restore that goes through SQLite's own locking (so
 * the -wal and -shm files stay consistent). PostgreSQL has pg_dump and pg_restore for this.
 */
#ifndef KAM_STORE_BACKUP_H
#define KAM_STORE_BACKUP_H
#include <stddef.h>
#include <stdint.h>

/* Writes a consistent copy of the kam database at db (a path or sqlite:PATH) to dest, which
 * is replaced atomically when it exists. The copy is one self-contained file (no -wal).
 * KAM_EINVAL when db is not a kam database or dest is db; err gets one line on failure. */
int store_backup(const char *db, const char *dest, char *err, size_t errlen);

/* Replaces the contents of the kam database at db with the backup at src (created when db
 * does not exist; stale -wal/-shm files of a missing db are removed first). Refuses a src
 * that is not an intact kam database or is newer than this kam, and a db that is some other
 * database. Moves the data version past both, so answer caches of running servers expire.
 * *version gets the schema version of the backup. err gets one line on failure. */
int store_restore(const char *src, const char *db, int *version, char *err, size_t errlen);

#endif
