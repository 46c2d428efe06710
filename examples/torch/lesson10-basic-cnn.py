# Lesson 10 (Basic CNN): two 5x5 convolutions with 2x2 max pooling and ReLU, then one linear
# layer, on the 28x28 digits; trained as lesson 9 (CrossEntropyLoss, SGD lr 0.01 momentum 0.5,
# shuffled batches of 64), running loss during training, test accuracy per epoch. The course's
# `device` lines (cuda if available) are left out: this runs on the CPU.
#
# Differences from the course's text, as in lesson 9: torchvision is not installed here, so
# `datasets.MNIST` and `transforms.{Compose, ToTensor, Normalize}` are replaced by the small
# equivalents below: an IDX reader over examples/data/MNIST/raw (the offline digits stand-in, in
# MNIST's format) and the arithmetic torchvision 0.14 does, in float32: ToTensor is
# `img.permute(2, 0, 1).float().div(255)` of the uint8 pixels, Normalize is `img.sub_(mean).div_(std)`
# with mean and std as float32 tensors. The stand-in has 24 batches of 64 per epoch where MNIST has
# 938, so the running loss is printed every 8 batches instead of every 300, the same third of an
# epoch. `--quick` trains 2 epochs instead of 10 (the test's run); `--float64` reruns the program in
# double precision from the same float32-drawn parameters and float32-normalised images.
# torch.manual_seed(0) first, so that a port seeded the same way starts from the same parameters
# and shuffles in the same order.
import gzip
import os
import sys
import numpy as np
import torch
from torch.utils.data import Dataset
from torch.utils.data import DataLoader
import torch.nn.functional as F
import torch.optim as optim

DTYPE = torch.float64 if '--float64' in sys.argv else torch.float32
EPOCHS = 2 if '--quick' in sys.argv else 10
LOG_EVERY = 8
torch.manual_seed(0)
if '--threads1' in sys.argv:
    torch.set_num_threads(1)


class MNIST(Dataset):
    """torchvision.datasets.MNIST over root/MNIST/raw/*-idx?-ubyte.gz, with its transform."""

    def __init__(self, root, train, transform):
        prefix = 'train' if train else 't10k'
        raw = os.path.join(root, 'MNIST', 'raw')
        with gzip.open(os.path.join(raw, prefix + '-images-idx3-ubyte.gz')) as f:
            b = f.read()
            n, rows, cols = (int.from_bytes(b[i:i + 4], 'big') for i in (4, 8, 12))
            self.data = torch.from_numpy(np.frombuffer(b, np.uint8, n * rows * cols, 16).reshape(n, rows, cols).copy())
        with gzip.open(os.path.join(raw, prefix + '-labels-idx1-ubyte.gz')) as f:
            b = f.read()
            self.targets = torch.from_numpy(np.frombuffer(b, np.uint8, int.from_bytes(b[4:8], 'big'), 8).astype(np.int64))
        self.transform = transform

    def __getitem__(self, index):
        return self.transform(self.data[index]), int(self.targets[index])

    def __len__(self):
        return len(self.targets)


def to_tensor(pic):
    return pic.view(pic.shape[0], pic.shape[1], 1).permute(2, 0, 1).contiguous().to(torch.float32).div(255)


def normalize(mean, std):
    def f(img):
        m = torch.as_tensor(mean, dtype=img.dtype)[:, None, None]
        s = torch.as_tensor(std, dtype=img.dtype)[:, None, None]
        return img.clone().sub_(m).div_(s).to(DTYPE)
    return f


def compose(fs):
    def f(x):
        for g in fs:
            x = g(x)
        return x
    return f


batch_size = 64
transform = compose([to_tensor, normalize((0.1307,), (0.3081,))])
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'data')

train_dataset = MNIST(root=root, train=True, transform=transform)
train_loader = DataLoader(train_dataset, shuffle=True, batch_size=batch_size)
test_dataset = MNIST(root=root, train=False, transform=transform)
test_loader = DataLoader(test_dataset, shuffle=False, batch_size=batch_size)


class Net(torch.nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.conv1 = torch.nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = torch.nn.Conv2d(10, 20, kernel_size=5)
        self.pooling = torch.nn.MaxPool2d(2)
        self.fc = torch.nn.Linear(320, 10)

    def forward(self, x):
        # Flatten data from (n, 1, 28, 28) to (n, 784)
        batch_size = x.size(0)
        x = F.relu(self.pooling(self.conv1(x)))
        x = F.relu(self.pooling(self.conv2(x)))
        x = x.view(batch_size, -1)  # -1: 320 here
        x = self.fc(x)
        return x


model = Net().to(DTYPE)

criterion = torch.nn.CrossEntropyLoss()
optimizer = optim.SGD(model.parameters(), lr=0.01, momentum=0.5)


def train(epoch):
    running_loss = 0.0
    for batch_idx, data in enumerate(train_loader, 0):
        inputs, target = data
        optimizer.zero_grad()

        # forward + backward + update
        outputs = model(inputs)
        loss = criterion(outputs, target)
        loss.backward()
        optimizer.step()

        running_loss += loss.item()
        if batch_idx % LOG_EVERY == LOG_EVERY - 1:
            print('[%d, %5d] loss: %.3f' % (epoch + 1, batch_idx + 1, running_loss / LOG_EVERY))
            running_loss = 0.0


def test():
    correct = 0
    total = 0
    with torch.no_grad():
        for data in test_loader:
            images, labels = data
            outputs = model(images)
            _, predicted = torch.max(outputs.data, dim=1)
            total += labels.size(0)
            correct += (predicted == labels).sum().item()
    print('Accuracy on test set: %d %%' % (100 * correct / total))


if __name__ == '__main__':
    for epoch in range(EPOCHS):
        train(epoch)
        test()
