/** A typed listener set where one failing listener (a closed window, a dropped socket) cannot starve the others. */
export class Emitter<T> {
  private readonly listeners = new Set<(event: T) => void>();

  subscribe(listener: (event: T) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: T): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        console.error('An event listener failed:', error);
      }
    }
  }
}
