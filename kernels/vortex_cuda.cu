// Vortex STNO CUDA instantiation (being written).
