/** sim/: the network simulator (layer 7). Nothing is exported yet. */
export {};
