import { Codec, CodecContext, FFmpegError } from 'node-av/lib';
import { CodecUnavailableError } from './errors.ts';

/**
 * Opens FFmpeg's decoder or encoder `name`, after `configure` set its context. Options are set on
 * the context, never passed to open2 (that crashed node-av 6.1 at process exit). Throws
 * `CodecUnavailableError` naming the codec and FFmpeg's reason.
 */
export function openCodecContext(
  kind: 'decoder' | 'encoder',
  name: string,
  configure: (context: CodecContext) => void,
): CodecContext {
  const codec =
    kind === 'decoder'
      ? Codec.findDecoderByName(name as never)
      : Codec.findEncoderByName(name as never);
  if (!codec)
    throw new CodecUnavailableError('codec_unavailable', `FFmpeg has no ${kind} "${name}"`);
  const context = new CodecContext();
  context.allocContext3(codec);
  configure(context);
  const opened = context.open2Sync(codec, null);
  if (opened < 0) {
    context.freeContext();
    throw new CodecUnavailableError(
      'codec_unavailable',
      `FFmpeg's ${kind} "${name}" did not open: ${FFmpegError.strerror(opened)}`,
    );
  }
  return context;
}
