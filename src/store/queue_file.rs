//! The persisted transfer queue (being written by a helper).
