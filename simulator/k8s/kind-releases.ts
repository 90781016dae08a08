/**
 * kind's releases and the node images they published. A reader's `kind create cluster` boots the
 * default image of the kind release they installed; `--image kindest/node:vX.Y.Z` pulls another
 * tag, which exists only if some release published it by then. The image decides the Kubernetes
 * version, the containerd and the base distribution every node reports.
 *
 * Sources (one row per release): the tag date, `pkg/apis/config/defaults/image.go` (default image),
 * `.go-version` (the Go the binaries were built with), `images/base/Dockerfile` (containerd and
 * base distribution) and `pkg/build/nodeimage/const_*.go` (kindnet, local-path-provisioner) of
 * kubernetes-sigs/kind at that tag; the images pre-built for each release from
 * its notes, https://github.com/kubernetes-sigs/kind/releases/tag/<version>.
 */

/** One kind release. */
export interface KindRelease {
  version: string;
  /** The day it was released (UTC), `YYYY-MM-DD`. */
  date: string;
  /** `kind version` prints the Go release that built it. */
  goVersion: string;
  /** The default node image, pinned by digest as kind pins it. */
  defaultImage: string;
  /** Kubernetes versions of the images built for this release, the default first. */
  images: readonly string[];
  /** containerd in the release's base image (nodeInfo.containerRuntimeVersion). */
  containerd: string;
  /** The base distribution's PRETTY_NAME (nodeInfo.osImage). */
  osImage: string;
  /**
   * The tags of the images its node images run besides Kubernetes (docker.io/kindest/…):
   * kindnet and local-path-provisioner with its helper (pkg/build/nodeimage/const_cni.go and
   * const_storage.go at the tag).
   */
  addons: { kindnetd: string; localPathProvisioner: string; localPathHelper: string };
  /**
   * The sandbox (pause) image its base image's containerd runs, which kind's node image build puts
   * in place of kubeadm's (`sandbox_image` in images/base/files/etc/containerd/config.toml;
   * pkg/build/nodeimage/buildcontext.go replaces kubeadm's pause with it).
   */
  pause: string;
}

const ubuntu2204 = 'Ubuntu 22.04.1 LTS';
const bullseye = 'Debian GNU/Linux 11 (bullseye)';
const bookworm = 'Debian GNU/Linux 12 (bookworm)';
const trixie = 'Debian GNU/Linux 13 (trixie)';

/** kind's releases from v0.14.0, oldest first. */
export const kindReleases: readonly KindRelease[] = [
  {
    version: 'v0.14.0',
    date: '2022-05-19',
    goVersion: 'go1.18.2',
    defaultImage:
      'kindest/node:v1.24.0@sha256:0866296e693efe1fed79d5e6c7af8df71fc73ae45e3679af05342239cdc5bc8e',
    images: ['v1.24.0', 'v1.23.6', 'v1.22.9', 'v1.21.12', 'v1.20.15', 'v1.19.16', 'v1.18.20'],
    containerd: '1.6.4',
    osImage: 'Ubuntu 21.10',
    addons: {
      kindnetd: 'v20220510-4929dd75',
      localPathProvisioner: 'v0.0.22-kind.0',
      localPathHelper: 'v20220512-507ff70b',
    },
    pause: 'k8s.gcr.io/pause:3.6',
  },
  {
    version: 'v0.15.0',
    date: '2022-09-01',
    goVersion: 'go1.19',
    defaultImage:
      'kindest/node:v1.25.0@sha256:428aaa17ec82ccde0131cb2d1ca6547d13cf5fdabcc0bbecf749baa935387cbf',
    images: ['v1.25.0'],
    containerd: '1.6.7',
    osImage: ubuntu2204,
    addons: {
      kindnetd: 'v20220726-ed811e41',
      localPathProvisioner: 'v0.0.22-kind.0',
      localPathHelper: 'v20220607-9a4d8d2a',
    },
    pause: 'registry.k8s.io/pause:3.7',
  },
  {
    version: 'v0.16.0',
    date: '2022-09-22',
    goVersion: 'go1.19.1',
    defaultImage:
      'kindest/node:v1.25.2@sha256:9be91e9e9cdf116809841fc77ebdb8845443c4c72fe5218f3ae9eb57fdb4bace',
    images: ['v1.25.2'],
    containerd: '1.6.8',
    osImage: ubuntu2204,
    addons: {
      kindnetd: 'v20220726-ed811e41',
      localPathProvisioner: 'v0.0.22-kind.0',
      localPathHelper: 'v20220607-9a4d8d2a',
    },
    pause: 'registry.k8s.io/pause:3.7',
  },
  {
    version: 'v0.17.0',
    date: '2022-10-26',
    goVersion: 'go1.19.2',
    defaultImage:
      'kindest/node:v1.25.3@sha256:f52781bc0d7a19fb6c405c2af83abfeb311f130707a0e219175677e366cc45d1',
    images: ['v1.25.3'],
    containerd: '1.6.9',
    osImage: ubuntu2204,
    addons: {
      kindnetd: 'v20221004-44d545d1',
      localPathProvisioner: 'v0.0.22-kind.0',
      localPathHelper: 'v20220607-9a4d8d2a',
    },
    pause: 'registry.k8s.io/pause:3.7',
  },
  {
    version: 'v0.18.0',
    date: '2023-03-30',
    goVersion: 'go1.20.2',
    defaultImage:
      'kindest/node:v1.26.3@sha256:61b92f38dff6ccc29969e7aa154d34e38b89443af1a2c14e6cfbd2df6419c66f',
    images: ['v1.26.3'],
    containerd: '1.6.19-46-g941215f49',
    osImage: 'Ubuntu 22.04.2 LTS',
    addons: {
      kindnetd: 'v20230330-48f316cd',
      localPathProvisioner: 'v0.0.23-kind.0',
      localPathHelper: 'v20230330-48f316cd',
    },
    pause: 'registry.k8s.io/pause:3.7',
  },
  {
    version: 'v0.19.0',
    date: '2023-05-16',
    goVersion: 'go1.20.4',
    defaultImage:
      'kindest/node:v1.27.1@sha256:b7d12ed662b873bd8510879c1846e87c7e676a79fefc93e17b2a52989d3ff42b',
    images: ['v1.27.1'],
    containerd: '1.6.21',
    osImage: bullseye,
    addons: {
      kindnetd: 'v20230511-dc714da8',
      localPathProvisioner: 'v20230511-dc714da8',
      localPathHelper: 'v20230510-486859a6',
    },
    pause: 'registry.k8s.io/pause:3.7',
  },
  {
    version: 'v0.20.0',
    date: '2023-06-14',
    goVersion: 'go1.20.4',
    defaultImage:
      'kindest/node:v1.27.3@sha256:3966ac761ae0136263ffdb6cfd4db23ef8a83cba8a463690e98317add2c9ba72',
    images: ['v1.27.3', 'v1.26.6', 'v1.25.11', 'v1.24.15', 'v1.23.17', 'v1.22.17', 'v1.21.14'],
    containerd: '1.7.1',
    osImage: bullseye,
    addons: {
      kindnetd: 'v20230511-dc714da8',
      localPathProvisioner: 'v20230511-dc714da8',
      localPathHelper: 'v20230510-486859a6',
    },
    pause: 'registry.k8s.io/pause:3.7',
  },
  {
    version: 'v0.21.0',
    date: '2024-02-02',
    goVersion: 'go1.20.13',
    defaultImage:
      'kindest/node:v1.29.1@sha256:a0cc28af37cf39b019e2b448c54d1a3f789de32536cb5a5db61a49623e527144',
    images: ['v1.29.1', 'v1.28.6', 'v1.27.10', 'v1.26.13', 'v1.25.16', 'v1.24.17', 'v1.23.17'],
    containerd: '1.7.13',
    osImage: bookworm,
    addons: {
      kindnetd: 'v20240202-8f1494ea',
      localPathProvisioner: 'v20240202-8f1494ea',
      localPathHelper: 'v20230510-486859a6',
    },
    pause: 'registry.k8s.io/pause:3.7',
  },
  {
    version: 'v0.22.0',
    date: '2024-02-14',
    goVersion: 'go1.20.13',
    defaultImage:
      'kindest/node:v1.29.2@sha256:51a1434a5397193442f0be2a297b488b6c919ce8a3931be0ce822606ea5ca245',
    images: ['v1.29.2', 'v1.29.1', 'v1.28.7', 'v1.28.6', 'v1.27.11', 'v1.27.10', 'v1.26.14', 'v1.26.13'],
    containerd: '1.7.13',
    osImage: bookworm,
    addons: {
      kindnetd: 'v20240202-8f1494ea',
      localPathProvisioner: 'v20240202-8f1494ea',
      localPathHelper: 'v20230510-486859a6',
    },
    pause: 'registry.k8s.io/pause:3.7',
  },
  {
    version: 'v0.23.0',
    date: '2024-05-13',
    goVersion: 'go1.21.10',
    defaultImage:
      'kindest/node:v1.30.0@sha256:047357ac0cfea04663786a612ba1eaba9702bef25227a794b52890dd8bcd692e',
    images: ['v1.30.0', 'v1.29.4', 'v1.28.9', 'v1.27.13', 'v1.26.15', 'v1.25.16'],
    containerd: '1.7.15',
    osImage: bookworm,
    addons: {
      kindnetd: 'v20240513-cd2ac642',
      localPathProvisioner: 'v20240513-b9bba138',
      localPathHelper: 'v20230510-486859a6',
    },
    pause: 'registry.k8s.io/pause:3.7',
  },
  {
    version: 'v0.24.0',
    date: '2024-08-15',
    goVersion: 'go1.22.6',
    defaultImage:
      'kindest/node:v1.31.0@sha256:53df588e04085fd41ae12de0c3fe4c72f7013bba32a20e7325357a1ac94ba865',
    images: ['v1.31.0', 'v1.30.4', 'v1.29.8', 'v1.28.13', 'v1.27.16', 'v1.26.15', 'v1.25.16'],
    containerd: '1.7.18',
    osImage: bookworm,
    addons: {
      kindnetd: 'v20240813-c6f155d6',
      localPathProvisioner: 'v20240813-c6f155d6',
      localPathHelper: 'v20230510-486859a6',
    },
    pause: 'registry.k8s.io/pause:3.10',
  },
  {
    version: 'v0.25.0',
    date: '2024-11-08',
    goVersion: 'go1.22.9',
    defaultImage:
      'kindest/node:v1.31.2@sha256:18fbefc20a7113353c7b75b5c869d7145a6abd6269154825872dc59c1329912e',
    images: ['v1.31.2', 'v1.30.6', 'v1.29.10', 'v1.28.15', 'v1.27.16', 'v1.26.15'],
    containerd: '1.7.18',
    osImage: bookworm,
    addons: {
      kindnetd: 'v20241108-5c6d2daf',
      localPathProvisioner: 'v20241108-5c6d2daf',
      localPathHelper: 'v20230510-486859a6',
    },
    pause: 'registry.k8s.io/pause:3.10',
  },
  {
    version: 'v0.26.0',
    date: '2024-12-16',
    goVersion: 'go1.23.4',
    defaultImage:
      'kindest/node:v1.32.0@sha256:c48c62eac5da28cdadcf560d1d8616cfa6783b58f0d94cf63ad1bf49600cb027',
    images: ['v1.32.0', 'v1.31.4', 'v1.30.8', 'v1.29.12'],
    containerd: '1.7.24',
    osImage: bookworm,
    addons: {
      kindnetd: 'v20241212-9f82dd49',
      localPathProvisioner: 'v20241212-8ac705d0',
      localPathHelper: 'v20241212-8ac705d0',
    },
    pause: 'registry.k8s.io/pause:3.10',
  },
  {
    version: 'v0.27.0',
    date: '2025-02-14',
    goVersion: 'go1.23.6',
    defaultImage:
      'kindest/node:v1.32.2@sha256:f226345927d7e348497136874b6d207e0b32cc52154ad8323129352923a3142f',
    images: ['v1.32.2', 'v1.31.6', 'v1.30.10', 'v1.29.14'],
    containerd: '2.0.2',
    osImage: bookworm,
    addons: {
      kindnetd: 'v20250214-acbabc1a',
      localPathProvisioner: 'v20250214-acbabc1a',
      localPathHelper: 'v20241212-8ac705d0',
    },
    pause: 'registry.k8s.io/pause:3.10',
  },
  {
    version: 'v0.28.0',
    date: '2025-05-16',
    goVersion: 'go1.24.2',
    defaultImage:
      'kindest/node:v1.33.1@sha256:8d866994839cd096b3590681c55a6fa4a071fdaf33be7b9660e5697d2ed13002',
    images: ['v1.33.1'],
    containerd: '2.1.0',
    osImage: bookworm,
    addons: {
      kindnetd: 'v20250512-df8de77b',
      localPathProvisioner: 'v20250214-acbabc1a',
      localPathHelper: 'v20241212-8ac705d0',
    },
    pause: 'registry.k8s.io/pause:3.10',
  },
  {
    version: 'v0.29.0',
    date: '2025-05-21',
    goVersion: 'go1.24.2',
    defaultImage:
      'kindest/node:v1.33.1@sha256:050072256b9a903bd914c0b2866828150cb229cea0efe5892e2b644d5dd3b34f',
    images: ['v1.33.1', 'v1.32.5', 'v1.31.9', 'v1.30.13'],
    containerd: '2.1.1',
    osImage: bookworm,
    addons: {
      kindnetd: 'v20250512-df8de77b',
      localPathProvisioner: 'v20250214-acbabc1a',
      localPathHelper: 'v20241212-8ac705d0',
    },
    pause: 'registry.k8s.io/pause:3.10',
  },
  {
    version: 'v0.30.0',
    date: '2025-08-27',
    goVersion: 'go1.24.6',
    defaultImage:
      'kindest/node:v1.34.0@sha256:7416a61b42b1662ca6ca89f02028ac133a309a2a30ba309614e8ec94d976dc5a',
    images: ['v1.34.0', 'v1.33.4', 'v1.32.8', 'v1.31.12'],
    containerd: '2.1.4',
    osImage: bookworm,
    addons: {
      kindnetd: 'v20250512-df8de77b',
      localPathProvisioner: 'v20250214-acbabc1a',
      localPathHelper: 'v20241212-8ac705d0',
    },
    pause: 'registry.k8s.io/pause:3.10',
  },
  {
    version: 'v0.31.0',
    date: '2025-12-17',
    goVersion: 'go1.25.5',
    defaultImage:
      'kindest/node:v1.35.0@sha256:452d707d4862f52530247495d180205e029056831160e22870e37e3f6c1ac31f',
    images: ['v1.35.0'],
    containerd: '2.2.0',
    osImage: bookworm,
    addons: {
      kindnetd: 'v20251212-v0.29.0-alpha-105-g20ccfc88',
      localPathProvisioner: 'v20251212-v0.29.0-alpha-105-g20ccfc88',
      localPathHelper: 'v20251211-v0.29.0-alpha-100-g82a92c5d',
    },
    pause: 'registry.k8s.io/pause:3.10',
  },
  {
    // The base image (pkg/build/nodeimage/defaults.go: kindest/base:v20260601-995e8fa5) was built
    // from debian:trixie-slim with containerd v2.3.1 (images/base/Dockerfile at 995e8fa5).
    version: 'v0.32.0',
    date: '2026-06-02',
    goVersion: 'go1.26.3',
    defaultImage:
      'kindest/node:v1.36.1@sha256:3489c7674813ba5d8b1a9977baea8a6e553784dab7b84759d1014dbd78f7ebd5',
    images: ['v1.36.1'],
    containerd: '2.3.1',
    osImage: trixie,
    addons: {
      kindnetd: 'v20260528-9350166c',
      localPathProvisioner: 'v20260521-9fb22683',
      localPathHelper: 'v20260131-7181c60a',
    },
    pause: 'registry.k8s.io/pause:3.10',
  },
];

/** A release by version (`v0.14.0`). */
export function kindRelease(version: string): KindRelease | undefined {
  return kindReleases.find((release) => release.version === version);
}

/** The Kubernetes version a node image runs: `kindest/node:v1.24.0@sha256:…` → `v1.24.0`. */
export function imageKubernetesVersion(image: string): string | undefined {
  return /^(?:docker\.io\/)?kindest\/node:(v\d+\.\d+\.\d+)(?:@sha256:[0-9a-f]{64})?$/.exec(image)?.[1];
}

/** The image name kind prints while it ensures an image: the reference without its digest. */
export function friendlyImageName(image: string): string {
  return image.split('@sha256:')[0] ?? image;
}

/**
 * The release that built a node image, among those out by `date` (`YYYY-MM-DD`): the latest one
 * that lists its version. Undefined when no release had published it, so `docker pull` fails.
 */
export function releaseOfImage(image: string, date: string): KindRelease | undefined {
  const version = imageKubernetesVersion(image);
  if (version === undefined) return undefined;
  let found: KindRelease | undefined;
  for (const release of kindReleases)
    if (release.date < date && release.images.includes(version)) found = release;
  return found;
}
