// Injected into the minified bundle (scripts/class-names.mjs): gives each class the name it has in
// src/, which minification would otherwise replace with a short one.
export function __keepClassNames(classes) {
  for (const name in classes) Object.defineProperty(classes[name], "name", { value: name });
}
