import { propertyChangeNotAllowed } from '../../armError';
import { asArray, asObject, asString, clone, type Json, type JsonObject } from '../../json';

/** Strings compared the way Compute compares them (case-insensitively), `undefined` = not given. */
function sameText(a: Json | undefined, b: Json | undefined): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

function sshKeysOf(linux: JsonObject | undefined): string {
  const keys = asArray(asObject(linux?.ssh)?.publicKeys).map((k) => {
    const key = asObject(k);
    return `${asString(key?.path) ?? ''}\u0000${asString(key?.keyData)?.trim() ?? ''}`;
  });
  return JSON.stringify(keys.sort());
}

/**
 * A PUT on an existing VM may not change what Compute fixes at creation: the zone, the OS profile's
 * admin user, computer name and SSH keys, the image and the OS disk's name and create option. Each
 * refusal names the property the way Compute does. A section the request leaves out keeps its value
 * (the stored body stays whole, as ARM's does).
 */
export function keepVmCreationSettings(body: JsonObject, before: JsonObject): void {
  const oldZones = asArray(before.zones).map(String).sort();
  if (body.zones === undefined) {
    if (before.zones !== undefined) body.zones = clone(before.zones);
  } else if (asArray(body.zones).map(String).sort().join(',') !== oldZones.join(',')) {
    throw propertyChangeNotAllowed('zones');
  }

  const props = asObject(body.properties) ?? (body.properties = {});
  const oldProps = asObject(before.properties) ?? {};
  const oldOs = asObject(oldProps.osProfile);
  const os = asObject(props.osProfile);
  if (!os) {
    if (oldOs) props.osProfile = clone(oldOs);
  } else if (oldOs) {
    for (const key of ['computerName', 'adminUsername']) {
      if (os[key] !== undefined && !sameText(os[key], oldOs[key])) throw propertyChangeNotAllowed(key);
    }
    const linux = asObject(os.linuxConfiguration);
    const oldLinux = asObject(oldOs.linuxConfiguration);
    if (linux && oldLinux) {
      const flag = 'disablePasswordAuthentication';
      if (linux[flag] !== undefined && oldLinux[flag] !== undefined && linux[flag] !== oldLinux[flag]) {
        throw propertyChangeNotAllowed(`linuxConfiguration.${flag}`);
      }
      if (asObject(linux.ssh)?.publicKeys !== undefined && sshKeysOf(linux) !== sshKeysOf(oldLinux)) {
        throw propertyChangeNotAllowed('linuxConfiguration.ssh.publicKeys');
      }
    }
  }

  const oldStorage = asObject(oldProps.storageProfile);
  const storage = asObject(props.storageProfile);
  if (!storage) {
    if (oldStorage) props.storageProfile = clone(oldStorage);
    return;
  }
  const image = asObject(storage.imageReference);
  const oldImage = asObject(oldStorage?.imageReference);
  if (!image) {
    if (oldImage) storage.imageReference = clone(oldImage);
  } else if (oldImage) {
    for (const key of ['publisher', 'offer', 'sku', 'version', 'id']) {
      if (!sameText(image[key], oldImage[key])) throw propertyChangeNotAllowed('imageReference');
    }
  }
  const disk = asObject(storage.osDisk);
  const oldDisk = asObject(oldStorage?.osDisk);
  if (!disk) {
    if (oldDisk) storage.osDisk = clone(oldDisk);
  } else if (oldDisk) {
    for (const key of ['name', 'createOption']) {
      if (disk[key] !== undefined && oldDisk[key] !== undefined && !sameText(disk[key], oldDisk[key])) {
        throw propertyChangeNotAllowed(`osDisk.${key}`);
      }
    }
  }
}
