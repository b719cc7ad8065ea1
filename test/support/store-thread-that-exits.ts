/** A stand-in for the store's thread that ends (exit code 4) before it is ready. */
process.exit(4);
