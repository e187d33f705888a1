/** One location fix, attached to a record only when the cadre asks for it. Never tracked. */
export interface Fix {
  lat: number;
  lon: number;
  accuracy_m: number;
  captured_at: string;
}

export function canLocate(): boolean {
  return typeof navigator !== 'undefined' && 'geolocation' in navigator;
}

export function getFix(timeoutMs = 20_000): Promise<Fix> {
  return new Promise((resolve, reject) => {
    navigator.geolocation.getCurrentPosition(
      (pos) =>
        resolve({
          lat: Number(pos.coords.latitude.toFixed(7)),
          lon: Number(pos.coords.longitude.toFixed(7)),
          accuracy_m: Math.round(pos.coords.accuracy * 10) / 10,
          captured_at: new Date(pos.timestamp).toISOString(),
        }),
      (err) => reject(new Error(err.message || `geolocation error ${err.code}`)),
      { enableHighAccuracy: true, timeout: timeoutMs, maximumAge: 0 },
    );
  });
}
