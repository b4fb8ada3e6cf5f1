"""The styrmodell file: read it with line numbers, check it, describe problems in Swedish."""
