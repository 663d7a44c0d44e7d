/**
 * How a message names an agent's backend and model: both (`openai gpt-4.1-mini`), or the
 * backend alone when the model is only its name again (`scripted`, never `scripted scripted`).
 *
 * @example
 * backendAndModel("openai", "gpt-4.1-mini"); // "openai gpt-4.1-mini"
 * backendAndModel("scripted", "scripted");   // "scripted"
 */
export function backendAndModel(backend: string, model: string): string {
  return model === backend ? backend : `${backend} ${model}`;
}
