/**
 * The numbers of WASI preview 1 (`wasi_snapshot_preview1`) that km's host uses: error codes,
 * file types, flags and the sizes of the structures it writes into the guest's memory, as the
 * witx definition of preview 1 gives them. Pure constants.
 */

/** Error codes (`errno`). */
export const Errno = {
  SUCCESS: 0,
  BADF: 8,
  EXIST: 20,
  INVAL: 28,
  ISDIR: 31,
  NOENT: 44,
  NOSYS: 52,
  NOTDIR: 54,
  NOTCAPABLE: 76,
  ROFS: 69,
  SPIPE: 70,
} as const;

/** File types (`filetype`). */
export const FileType = {
  UNKNOWN: 0,
  CHARACTER_DEVICE: 2,
  DIRECTORY: 3,
  REGULAR_FILE: 4,
} as const;

/** `oflags` of `path_open`. */
export const OFlags = { CREAT: 1, DIRECTORY: 2, EXCL: 4, TRUNC: 8 } as const;

/** `fdflags`: the ones that ask to write. */
export const FdFlags = { APPEND: 1 } as const;

/** `whence` of `fd_seek`. */
export const Whence = { SET: 0, CUR: 1, END: 2 } as const;

/** Clock ids. */
export const ClockId = { REALTIME: 0, MONOTONIC: 1 } as const;

/** `eventtype` of a subscription. */
export const EventType = { CLOCK: 0, FD_READ: 1, FD_WRITE: 2 } as const;

/** `subclockflags`: the timeout is an absolute time. */
export const SUBSCRIPTION_CLOCK_ABSTIME = 1;

/** `preopentype`: a directory. */
export const PREOPEN_TYPE_DIR = 0;

/** Sizes of the structures written to the guest. */
export const Size = {
  /** `filestat`: dev, ino, filetype (+7), nlink, size, atim, mtim, ctim. */
  FILESTAT: 64,
  /** `dirent` header: d_next, d_ino, d_namlen, d_type (+3); the name follows. */
  DIRENT: 24,
  /** `subscription`: userdata, then the tagged union. */
  SUBSCRIPTION: 48,
  /** `event`: userdata, error, type, fd_readwrite. */
  EVENT: 32,
} as const;

/** Every right: km's host does not restrict by rights but by what its file system allows. */
export const ALL_RIGHTS = 0x1fffffffn;
