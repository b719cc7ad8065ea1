/**
 * The audio the analysers work on: 16-bit linear PCM at 8 kHz in 20 ms frames of 160 samples,
 * what an RTP leg delivers for PCMU/PCMA (RFC 3551 §4.5.14). Time is counted in samples, never
 * read from a clock, so a recording and a live leg give the same verdict at the same instant.
 */

/** Samples per second of every analyser's input. */
export const ANALYSIS_SAMPLE_RATE = 8000;
/** Samples per analysis frame (20 ms at 8 kHz). */
export const FRAME_SAMPLES = 160;
/** One frame's duration in milliseconds. */
export const FRAME_MS = (FRAME_SAMPLES * 1000) / ANALYSIS_SAMPLE_RATE;
