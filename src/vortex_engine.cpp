// Vortex STNO engine (being written).
