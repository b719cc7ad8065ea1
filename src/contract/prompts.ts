import { type Static, Type } from '@sinclair/typebox';

/** A prompt as pconn answers it (its audio is at `links.audio`). */
export const Prompt = Type.Object({
  id: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
  durationMs: Type.Integer({ description: 'Length of the audio' }),
  format: Type.Object(
    {
      encoding: Type.Literal('pcm16'),
      sampleRate: Type.Literal(8000),
      channels: Type.Literal(1),
    },
    { description: 'How pconn stores and plays it: 8 kHz 16-bit mono PCM, resampled once at upload' },
  ),
  source: Type.Object(
    {
      encoding: Type.Union([Type.Literal('pcm16'), Type.Literal('mulaw'), Type.Literal('alaw')]),
      sampleRate: Type.Integer(),
      bytes: Type.Integer(),
      sha256: Type.String(),
    },
    { description: 'What was uploaded' },
  ),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  links: Type.Object({ self: Type.String(), audio: Type.String() }),
});
/** A prompt as answered. */
export type Prompt = Static<typeof Prompt>;

/** Query of PUT /v1/prompts/{id}: the body is the audio itself. */
export const PromptPutQuery = Type.Object(
  { name: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'A label for people' })) },
  { additionalProperties: false },
);
