/** routing/: pathfinding over the network graph (layer 4). Nothing is exported yet. */
export {};
