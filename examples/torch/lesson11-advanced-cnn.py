# Lesson 11 (Advanced CNN): the course's two networks on the 28x28 digits, one after the other,
# each trained as lesson 10 (CrossEntropyLoss, SGD lr 0.01 momentum 0.5, shuffled batches of 64):
# first the GoogLeNet-style net with two Inception blocks (1x1; 1x1 then 5x5; 1x1 then two 3x3;
# 3x3 average pooling then 1x1; concatenated on the channels), then the ResNet-style net with two
# residual blocks relu(x + conv2(relu(conv1(x)))). A line names each net before its run (the
# course has them in two programs); the generator is seeded once, at the start.
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
import torch.nn as nn
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


class InceptionA(nn.Module):
    def __init__(self, in_channels):
        super(InceptionA, self).__init__()
        self.branch1x1 = nn.Conv2d(in_channels, 16, kernel_size=1)

        self.branch5x5_1 = nn.Conv2d(in_channels, 16, kernel_size=1)
        self.branch5x5_2 = nn.Conv2d(16, 24, kernel_size=5, padding=2)

        self.branch3x3_1 = nn.Conv2d(in_channels, 16, kernel_size=1)
        self.branch3x3_2 = nn.Conv2d(16, 24, kernel_size=3, padding=1)
        self.branch3x3_3 = nn.Conv2d(24, 24, kernel_size=3, padding=1)

        self.branch_pool = nn.Conv2d(in_channels, 24, kernel_size=1)

    def forward(self, x):
        branch1x1 = self.branch1x1(x)

        branch5x5 = self.branch5x5_1(x)
        branch5x5 = self.branch5x5_2(branch5x5)

        branch3x3 = self.branch3x3_1(x)
        branch3x3 = self.branch3x3_2(branch3x3)
        branch3x3 = self.branch3x3_3(branch3x3)

        branch_pool = F.avg_pool2d(x, kernel_size=3, stride=1, padding=1)
        branch_pool = self.branch_pool(branch_pool)

        outputs = [branch1x1, branch5x5, branch3x3, branch_pool]
        return torch.cat(outputs, dim=1)


class GoogLeNet(nn.Module):
    def __init__(self):
        super(GoogLeNet, self).__init__()
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(88, 20, kernel_size=5)

        self.incep1 = InceptionA(in_channels=10)
        self.incep2 = InceptionA(in_channels=20)

        self.mp = nn.MaxPool2d(2)
        self.fc = nn.Linear(1408, 10)

    def forward(self, x):
        in_size = x.size(0)
        x = F.relu(self.mp(self.conv1(x)))
        x = self.incep1(x)
        x = F.relu(self.mp(self.conv2(x)))
        x = self.incep2(x)
        x = x.view(in_size, -1)
        x = self.fc(x)
        return x


class ResidualBlock(nn.Module):
    def __init__(self, channels):
        super(ResidualBlock, self).__init__()
        self.channels = channels
        self.conv1 = nn.Conv2d(channels, channels, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(channels, channels, kernel_size=3, padding=1)

    def forward(self, x):
        y = F.relu(self.conv1(x))
        y = self.conv2(y)
        return F.relu(x + y)


class ResNet(nn.Module):
    def __init__(self):
        super(ResNet, self).__init__()
        self.conv1 = nn.Conv2d(1, 16, kernel_size=5)
        self.conv2 = nn.Conv2d(16, 32, kernel_size=5)
        self.mp = nn.MaxPool2d(2)

        self.rblock1 = ResidualBlock(16)
        self.rblock2 = ResidualBlock(32)

        self.fc = nn.Linear(512, 10)

    def forward(self, x):
        in_size = x.size(0)
        x = self.mp(F.relu(self.conv1(x)))
        x = self.rblock1(x)
        x = self.mp(F.relu(self.conv2(x)))
        x = self.rblock2(x)
        x = x.view(in_size, -1)
        x = self.fc(x)
        return x


criterion = torch.nn.CrossEntropyLoss()


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
    for Net in (GoogLeNet, ResNet):
        print(Net.__name__)
        model = Net().to(DTYPE)
        optimizer = optim.SGD(model.parameters(), lr=0.01, momentum=0.5)
        for epoch in range(EPOCHS):
            train(epoch)
            test()
