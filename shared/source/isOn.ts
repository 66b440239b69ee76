// How MySQL spells a boolean system variable that is on.
export function isOn(value: string | undefined): boolean {
  return value !== undefined && ["ON", "1", "YES"].includes(value.toUpperCase());
}
