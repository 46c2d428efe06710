"""Writes the small datasets the course examples read, from data that ships with scikit-learn.

    /usr/bin/python3 scripts/make_datasets.py [OUT_DIR]     (default: examples/data)

Nothing is downloaded. The output is deterministic: the same numpy and scikit-learn data give the
same files byte for byte (the .gz files carry no name and a zero mtime).

  MNIST/raw/{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz
      An MNIST-format stand-in made from scikit-learn's 8x8 digits (1,797 images, values 0..16):
      each image is resized to 20x20 (bilinear, pixel centres aligned as PIL and
      torch.nn.functional.interpolate(align_corners=False) do), scaled to 0..255 and centred in a
      28x28 image with a 4-pixel border, as MNIST centres its digits in a 20x20 box.
      Split 1,500 train / 297 test by numpy.random.RandomState(0).permutation.
  breast-cancer-8.csv
      A stand-in for the course's diabetes CSV (N rows of 8 features + 1 label): scikit-learn's
      breast-cancer set, its first 8 features (the "mean ..." measurements), each standardised
      to zero mean and unit variance (population std), label 1 = malignant, 0 = benign.
  names_train.csv, names_test.csv
      `name,country` lines for the name-classification lesson, from the surname lists below.
"""

import gzip
import os
import struct
import sys

import numpy as np
from sklearn.datasets import load_breast_cancer, load_digits

SEED = 0
N_TRAIN_DIGITS = 1500


def idx_bytes(array: np.ndarray) -> bytes:
    """The IDX format: magic 0x0000 0x08 (ubyte) ndim, big-endian int32 dims, then the data."""
    assert array.dtype == np.uint8
    header = struct.pack(">BBBB", 0, 0, 0x08, array.ndim) + struct.pack(">" + "i" * array.ndim, *array.shape)
    return header + array.tobytes(order="C")


def write_gz(path: str, payload: bytes) -> None:
    with open(path, "wb") as raw:
        # filename="" and mtime=0 keep the gzip header free of anything that varies between runs
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as gz:
            gz.write(payload)


def resize_bilinear(images: np.ndarray, size: int) -> np.ndarray:
    """[N, h, w] -> [N, size, size], half-pixel centres, edges clamped."""
    n, h, w = images.shape

    def weights(src: int):
        pos = (np.arange(size) + 0.5) * (src / size) - 0.5
        pos = np.clip(pos, 0, src - 1)
        lo = np.floor(pos).astype(np.int64)
        hi = np.minimum(lo + 1, src - 1)
        return lo, hi, pos - lo

    ylo, yhi, fy = weights(h)
    xlo, xhi, fx = weights(w)
    rows = images[:, ylo, :] * (1 - fy)[None, :, None] + images[:, yhi, :] * fy[None, :, None]
    return rows[:, :, xlo] * (1 - fx)[None, None, :] + rows[:, :, xhi] * fx[None, None, :]


def make_mnist(out: str) -> None:
    digits = load_digits()
    big = resize_bilinear(digits.images.astype(np.float64), 20)
    pixels = np.clip(np.rint(big * (255.0 / 16.0)), 0, 255).astype(np.uint8)
    images = np.zeros((len(pixels), 28, 28), dtype=np.uint8)
    images[:, 4:24, 4:24] = pixels
    labels = digits.target.astype(np.uint8)

    order = np.random.RandomState(SEED).permutation(len(images))
    parts = {"train": order[:N_TRAIN_DIGITS], "t10k": order[N_TRAIN_DIGITS:]}
    raw = os.path.join(out, "MNIST", "raw")
    os.makedirs(raw, exist_ok=True)
    for name, idx in parts.items():
        write_gz(os.path.join(raw, f"{name}-images-idx3-ubyte.gz"), idx_bytes(images[idx]))
        write_gz(os.path.join(raw, f"{name}-labels-idx1-ubyte.gz"), idx_bytes(labels[idx]))


def make_breast_cancer(out: str) -> None:
    bc = load_breast_cancer()
    x = bc.data[:, :8]
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    malignant = (bc.target == 0).astype(np.int64)  # scikit-learn codes malignant as 0
    lines = [",".join(f"{v:.6f}" for v in row) + f",{y}" for row, y in zip(x, malignant)]
    # "-0.000000" would read back as -0.0; write it as zero
    lines = [line.replace("-0.000000", "0.000000") for line in lines]
    with open(os.path.join(out, "breast-cancer-8.csv"), "w", newline="\n") as f:
        f.write("\n".join(lines) + "\n")


# Common surnames, ASCII spellings; a few occur under two countries, as real surnames do.
SURNAMES = {
    "Arabic": "Nader Haddad Khoury Nassar Hakimi Saliba Asfour Bazzi Ghanem Kassab Maalouf Mansour Nahas "
              "Qureshi Rahal Sabbagh Sarraf Shadid Tahan Tannous Touma Antar Awad Bishara Boulos Daher "
              "Fakhoury Gaber Hajjar Halabi Kattan Mikhail Najjar Said",
    "Chinese": "Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Gao Lin Luo Zheng "
               "Liang Xie Song Tang Han Feng Deng Cao Peng Zeng Xiao Tian Dong Pan Yuan",
    "Czech": "Novak Svoboda Novotny Dvorak Cerny Prochazka Kucera Vesely Horak Nemec Pokorny Marek Pospisil "
             "Hajek Jelinek Kral Ruzicka Benes Fiala Sedlacek Dolezal Zeman Kolar Navratil Cermak Vanek "
             "Blazek Kriz Kovar Bartos Vlcek Polak Kopecky",
    "Dutch": "Jansen Visser Smit Bakker Janssen Mulder Bos Vos Hendriks Dekker Brouwer Dijkstra Smits "
             "Willems Verhoeven Kok Vermeulen Schouten Hoekstra Koster Prins Postma Kuipers Veenstra Huisman "
             "Peeters Maas Verbeek Bosman Zwart Timmermans Groot",
    "English": "Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts Robinson "
               "Thompson Wright Walker White Edwards Hughes Green Hall Lewis Harris Clarke Jackson Wood "
               "Turner Cooper Hill Ward Morris Moore Baker Harrison King",
    "French": "Bernard Dubois Robert Richard Petit Durand Leroy Moreau Simon Laurent Lefebvre Michel David "
              "Bertrand Roux Vincent Fournier Morel Girard Andre Mercier Dupont Lambert Bonnet Francois "
              "Legrand Garnier Faure Rousseau Blanc Guerin Henry Roussel Perrin Morin Mathieu Clement "
              "Gauthier Fontaine Chevalier",
    "German": "Mueller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Schaefer Koch "
              "Bauer Richter Klein Wolf Schroeder Neumann Schwarz Zimmermann Braun Krueger Hofmann Hartmann "
              "Lange Schmitt Werner Schmitz Krause Meier Lehmann Schmid Schulze Maier Koehler Herrmann",
    "Greek": "Papadopoulos Papadakis Georgiou Pappas Nikolaidis Oikonomou Vlachos Antoniou Karagiannis "
             "Papageorgiou Dimitriou Ioannou Konstantinidis Christodoulou Makris Alexiou Angelopoulos "
             "Athanasiou Galanis Kalogeropoulos Katsaros Kostopoulos Lambrou Mavros Nikolaou "
             "Panagiotopoulos Petrakis Stavrou Theodorou Vasileiou Zervas",
    "Irish": "Murphy Kelly Byrne Ryan Walsh Doyle McCarthy Gallagher Doherty Kennedy Lynch Murray Quinn "
             "McLoughlin Carroll Connolly Daly Nolan Brennan Burke Collins Fitzgerald Dunne Kavanagh Sheehan "
             "Keane Hogan Flanagan Donnelly Duffy Flynn Cullen Egan Boyle",
    "Italian": "Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco Bruno Gallo Conti "
               "Costa Giordano Mancini Rizzo Lombardi Moretti Barbieri Fontana Santoro Mariani Rinaldi "
               "Caruso Ferrara Galli Martini Leone Longo Gentile Martinelli Vitale Serra Coppola Marchetti "
               "Parisi Villa Fabbri",
    "Japanese": "Sato Suzuki Takahashi Tanaka Watanabe Ito Yamamoto Nakamura Kobayashi Kato Yoshida Yamada "
                "Sasaki Yamaguchi Matsumoto Inoue Kimura Hayashi Shimizu Yamazaki Mori Abe Ikeda Hashimoto "
                "Yamashita Ishikawa Nakajima Maeda Fujita Ogawa Goto Okada Hasegawa Murakami Kondo Ishii",
    "Korean": "Kim Lee Park Choi Jung Kang Cho Yoon Jang Lim Oh Seo Shin Kwon Hwang Ahn Jeon Hong Yoo Ko "
              "Moon Son Bae Baek Heo Nam Noh Kwak Sung Cha Joo Woo",
    "Polish": "Nowak Kowalski Wisniewski Wojcik Kowalczyk Kaminski Lewandowski Zielinski Szymanski Wozniak "
              "Dabrowski Kozlowski Jankowski Mazur Kwiatkowski Krawczyk Piotrowski Grabowski Pawlowski "
              "Michalski Nowicki Adamczyk Dudek Zajac Wieczorek Jablonski Krol Majewski Olszewski Jaworski "
              "Wrobel Malinowski Pawlak Witkowski Walczak",
    "Portuguese": "Silva Santos Ferreira Pereira Oliveira Rodrigues Martins Jesus Sousa Fernandes Goncalves "
                  "Gomes Lopes Marques Alves Almeida Ribeiro Pinto Carvalho Teixeira Moreira Correia Mendes "
                  "Nunes Soares Vieira Monteiro Cardoso Rocha Neves Coelho Cunha Pires Ramos",
    "Russian": "Ivanov Smirnov Kuznetsov Popov Vasiliev Petrov Sokolov Mikhailov Novikov Fedorov Morozov "
               "Volkov Alekseev Lebedev Semenov Egorov Pavlov Kozlov Stepanov Nikolaev Orlov Andreev Makarov "
               "Nikitin Zakharov Zaitsev Soloviev Borisov Yakovlev Grigoriev Romanov Vorobiev Sergeev Kuzmin "
               "Frolov Alexandrov",
    "Scottish": "Campbell Stewart Robertson Thomson Anderson MacDonald Scott Reid Ross Young Mitchell Watson "
                "Paterson Morrison Fraser Henderson Graham Hamilton Johnston Kerr Cameron MacLeod Ferguson "
                "Mackenzie Grant Hunter Duncan Munro Sinclair Buchanan Crawford Gordon Douglas Mackay",
    "Spanish": "Garcia Gonzalez Rodriguez Lopez Martinez Sanchez Perez Gomez Jimenez Ruiz Hernandez Diaz "
               "Moreno Munoz Alvarez Romero Alonso Gutierrez Navarro Torres Dominguez Vazquez Ramos Gil "
               "Ramirez Serrano Blanco Molina Morales Suarez Ortega Delgado Castro Ortiz Rubio Iglesias",
    "Vietnamese": "Nguyen Tran Le Pham Hoang Huynh Phan Vu Vo Dang Bui Do Ho Ngo Duong Ly Truong Dinh Lam "
                  "Mai Trinh Doan Luong Ta Quach Tong Thai La Phung Kieu Chau Diep",
}


def make_names(out: str) -> None:
    train, test = [], []
    for country in sorted(SURNAMES):
        names = SURNAMES[country].split()
        assert len(set(names)) == len(names), country
        assert all(n.isascii() and n.isalpha() for n in names), country
        # every fifth name of a country is held out, so both files cover every country
        for i, name in enumerate(names):
            (test if i % 5 == 4 else train).append(f"{name},{country}")
    for fname, lines in (("names_train.csv", train), ("names_test.csv", test)):
        with open(os.path.join(out, fname), "w", newline="\n") as f:
            f.write("\n".join(lines) + "\n")


def main() -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "examples", "data")
    os.makedirs(out, exist_ok=True)
    make_mnist(out)
    make_breast_cancer(out)
    make_names(out)


if __name__ == "__main__":
    main()
