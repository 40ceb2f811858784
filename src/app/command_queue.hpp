// A lock-free queue of commands from any number of threads to one consumer thread.
//
//   CommandQueue queue;
//   producer:  queue.push([&] { ... });            // never blocks, never waits for the consumer
//   consumer:  queue.run_all();                    // runs what was pushed, in push order
//
// Commands must not throw (the simulation runner's catch their own errors).
//
// The queue is an intrusive singly linked list. push() links a node in front of the head with a
// compare-exchange; run_all() exchanges the whole list out at once and reverses it into push
// order. Neither side ever holds a lock, so a producer on the browser's main thread cannot be
// made to wait by a consumer that is busy (a simulation step takes as long as it takes).
#pragma once

#include <atomic>
#include <functional>
#include <utility>

namespace flume {

class CommandQueue {
  public:
    CommandQueue() = default;
    CommandQueue(const CommandQueue&) = delete;
    CommandQueue& operator=(const CommandQueue&) = delete;
    ~CommandQueue() { free_list(head_.exchange(nullptr, std::memory_order_acquire)); }

    void push(std::function<void()> command) {
        Node* node = new Node{std::move(command), head_.load(std::memory_order_relaxed)};
        while (!head_.compare_exchange_weak(node->next, node, std::memory_order_release,
                                            std::memory_order_relaxed)) {
        }
    }

    bool empty() const { return head_.load(std::memory_order_acquire) == nullptr; }

    // Runs every command pushed so far, oldest first; returns how many ran. Consumer only.
    int run_all() {
        Node* newest = head_.exchange(nullptr, std::memory_order_acquire);
        Node* oldest = nullptr;
        while (newest) {  // reverse: the list runs newest first
            Node* next = newest->next;
            newest->next = oldest;
            oldest = newest;
            newest = next;
        }
        int count = 0;
        while (oldest) {
            Node* next = oldest->next;
            oldest->command();
            delete oldest;
            oldest = next;
            ++count;
        }
        return count;
    }

  private:
    struct Node {
        std::function<void()> command;
        Node* next;
    };

    static void free_list(Node* node) {
        while (node) {
            Node* next = node->next;
            delete node;
            node = next;
        }
    }

    std::atomic<Node*> head_{nullptr};
};

}  // namespace flume
